"""Speech: Whisper beside Vosk (voice/asr.py), the model's installation, and matching what a caller said to a menu."""

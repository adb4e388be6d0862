"""Speech: Whisper beside Vosk (hotline/speech/asr.py), the model's installation, and matching what a caller said to a menu."""

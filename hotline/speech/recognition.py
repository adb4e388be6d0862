"""What every recogniser is and gives: the interface the engines (Vosk, Whisper, the simulator's script) share."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Recognition:
    text: str
    confidence: float
    words: tuple = ()       # (word, probability) when the engine gives them (Whisper)


class Recogniser:
    """The interface: `available`, `recognise(audio, grammar)`, `transcribe(audio)`."""

    engine = "none"
    available = False
    reason = ""
    min_confidence = 0.0

    def warm(self) -> None:
        """Load what this process needs before the first caller (Whisper's model is per process)."""

    def recognise(self, audio_bytes: bytes, grammar: list[str]) -> Recognition | None:
        return None

    def transcribe(self, audio_bytes: bytes) -> str:
        return ""

    def status(self) -> dict:
        mode = "keypad+speech" if self.available else "keypad-only"
        return {"ok": True, "mode": mode, "engine": self.engine, **({"reason": self.reason} if self.reason else {})}

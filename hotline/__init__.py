"""Loa Làng: a voice-and-SMS hotline for rural Vietnamese communes. The map: docs/architecture.md."""

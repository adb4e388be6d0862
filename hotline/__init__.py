"""Loa Lang ("village loudspeaker"): a voice-and-SMS hotline for rural communes. The map: docs/architecture.md."""

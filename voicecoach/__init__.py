"""voicecoach: a hands-free, offline voice coach for back-spasm relief at home."""

__version__ = "0.1.0"

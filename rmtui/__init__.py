"""rmtui: run reverse-mentoring programs from the terminal."""

__version__ = "0.1.0"

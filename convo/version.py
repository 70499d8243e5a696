"""The single place the app's version is defined."""

__version__ = "0.1.0"

"""OneStop: an open platform for digital government and digital business in Thailand."""

__version__ = "0.1.0"

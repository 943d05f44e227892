"""The helpline for Indonesian migrant workers."""

__version__ = "0.1.0"

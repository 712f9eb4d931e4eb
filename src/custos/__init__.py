"""Custos: customer-privacy management."""

__version__ = "0.1.0"

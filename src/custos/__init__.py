"""Custos: customer-privacy management."""

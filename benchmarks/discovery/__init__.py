"""Evaluation and benchmark helpers for PII discovery (issue 6)."""

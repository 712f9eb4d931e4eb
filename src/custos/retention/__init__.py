"""Retention: rules applied in resumable runs, lifecycle triggers, destruction certificates."""

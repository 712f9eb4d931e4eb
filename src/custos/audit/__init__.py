"""Audit: the append-only, hash-chained event log with signed Merkle checkpoints and proofs."""

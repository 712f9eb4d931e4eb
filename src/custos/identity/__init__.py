"""Identity: who is acting — staff accounts, sessions and API tokens."""

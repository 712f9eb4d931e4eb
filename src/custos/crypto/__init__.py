"""Crypto: keyring (versioned KEKs), envelope encryption of fields, blind indexes, signing keys."""

"""Vault: data subjects and their encrypted records (create, import, get, find, rectify, rotate keys)."""

"""Catalog (privacy as code): the declared fields, purposes, roles and their versions."""

"""Alembic migrations of the server schema (named revisions, one transaction each)."""

"""Laptop side of the two-way sync: accounts (sign-in, offline unlock, one store per account),
the HTTP client (tokens, retries) and the sync engine (push the outbox, pull the changes).

Wire types live in :mod:`nikdesk.core.sync`; nothing here imports the server.
"""

"""Password hashing with argon2 through pwdlib (no hand-rolled crypto)."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    """Return the argon2 hash of ``password``."""
    return _hasher().hash(password)


def verify_password(password: str, hashed: str) -> tuple[bool, str | None]:
    """Check ``password``; return (ok, new hash when the parameters changed, else None)."""
    return _hasher().verify_and_update(password, hashed)


_DUMMY = None


def burn_time() -> None:
    """Spend one hash verification so a login for an unknown email takes as long as a real one."""
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = hash_password("dummy-password-for-timing")
    _hasher().verify("not-the-password", _DUMMY)

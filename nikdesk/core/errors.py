"""Typed, user-facing errors: environment and input problems with an actionable message.

Anything not derived from :class:`NikDeskError` is a bug and should surface as one.
"""

from __future__ import annotations


class NikDeskError(Exception):
    """A problem the user (or admin) can fix; ``str(err)`` says how."""


class BadDocument(NikDeskError):
    """A source document cannot be indexed (corrupt, encrypted, empty, scanned)."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ModelMissing(NikDeskError):
    """A model file or directory is not where the manifest says it must be."""


class MissingExtra(NikDeskError):
    """An optional dependency is not installed; the message names the pip extra."""

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        super().__init__(
            f"{purpose} needs the Python package '{package}'. "
            f"Install it with: pip install 'nikdesk[{extra}]'"
        )
        self.package = package
        self.extra = extra


class IndexNotFound(NikDeskError):
    """No valid index bundle at the given path."""


class IndexMismatch(NikDeskError):
    """The index bundle was built with a different embedder or an unsupported format."""


class NeedsKey(NikDeskError):
    """An online service was requested but no API key is configured."""


class Offline(NikDeskError):
    """An online service could not be reached."""


class NothingIndexed(NikDeskError):
    """An index build found no document it could index."""


class OcrUnavailable(NikDeskError):
    """Text recognition cannot run: the Tesseract program or its language data is missing."""


class BadImage(BadDocument):
    """A photo cannot be read as an image (missing, empty, corrupt or an unsupported format)."""

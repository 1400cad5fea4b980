"""Typed, user-facing errors: environment and input problems with an actionable message.

Anything not derived from :class:`NikDeskError` is a bug and should surface as one.
"""

from __future__ import annotations

from typing import ClassVar


class NikDeskError(Exception):
    """A problem the user (or admin) can fix; ``str(err)`` says how.

    ``code`` names the problem for programs (JSON output, the server's error bodies);
    ``text(language)`` is the sentence for a person in the UI language: the message as raised,
    or its German/English version where the raiser gave both (``de=``/``en=``).
    """

    code: ClassVar[str] = "error"

    def __init__(self, message: str = "", *, de: str | None = None, en: str | None = None) -> None:
        super().__init__(message or en or de or "")
        self._texts = {"de": de, "en": en}

    def text(self, language: str = "de") -> str:
        """Return the message in ``language`` (de | en), else the message as raised."""
        return self._texts.get(language) or str(self)


# why the build skipped a file: code -> (German, English); the UI and the CLI word the codes
SKIP_REASONS: dict[str, tuple[str, str]] = {
    "empty": ("leere Datei (0 Byte)", "zero-byte file"),
    "missing": ("Datei nicht gefunden", "file not found"),
    "unreadable": ("Datei nicht lesbar", "cannot read file"),
    "corrupt": ("kein PDF oder beschädigt", "not a PDF or corrupt"),
    "encrypted": ("verschlüsselt (Passwort nötig)", "encrypted (password required)"),
    "scanned": (
        "kein Text (gescanntes PDF – erst Texterkennung ausführen)",
        "no extractable text: scanned/image-only PDF — run OCR first",
    ),
    "no_text": ("kein verwertbarer Text", "no indexable text"),
    "bad_name": (
        "Dateiname ist kein gültiges UTF-8 – bitte umbenennen",
        "file name is not valid UTF-8: rename it",
    ),
    "unsupported": ("Dateityp wird nicht unterstützt", "unsupported file type"),
    "parser_error": ("Lesefehler (bitte die Datei melden)", "parser error; please report the file"),
}


def skip_reason_text(code: str, detail: str = "", language: str = "de") -> str:
    """Word a skip reason code in ``language``; the technical detail follows in brackets."""
    de, en = SKIP_REASONS.get(code, ("", ""))
    words = (de if language == "de" else en) or detail
    return f"{words} ({detail})" if detail and detail != words else words


class BadDocument(NikDeskError):
    """A source document cannot be indexed (corrupt, encrypted, empty, scanned)."""

    code = "bad_document"

    def __init__(self, path: object, reason: str, reason_code: str = "corrupt") -> None:
        super().__init__(f"{path}: {reason}", de=f"{path}: {skip_reason_text(reason_code, reason)}")
        self.path = path
        self.reason = reason
        self.reason_code = reason_code


class ModelMissing(NikDeskError):
    """A model file or directory is not where the manifest says it must be."""

    code = "model_missing"


class MissingExtra(NikDeskError):
    """An optional dependency is not installed; the message names the pip extra."""

    code = "missing_extra"

    def __init__(self, package: str, extra: str, purpose: str) -> None:
        super().__init__(
            f"{purpose} needs the Python package '{package}'. "
            f"Install it with: pip install 'nikdesk[{extra}]'",
            de=f"Für diese Funktion fehlt das Programmpaket „{package}“ "
            f"(Zusatz „{extra}“). Bitte die vollständige NikDesk-Installation verwenden "
            "oder den Administrator fragen.",
        )
        self.package = package
        self.extra = extra


class IndexNotFound(NikDeskError):
    """No valid index bundle at the given path."""

    code = "index_not_found"


class IndexMismatch(NikDeskError):
    """The index bundle was built with a different embedder or an unsupported format."""

    code = "index_mismatch"


class NeedsKey(NikDeskError):
    """An online service was requested but no API key is configured."""

    code = "needs_key"


class Offline(NikDeskError):
    """An online service could not be reached."""

    code = "offline"


class NothingIndexed(NikDeskError):
    """An index build found no document it could index."""

    code = "nothing_indexed"


class OcrUnavailable(NikDeskError):
    """Text recognition cannot run: the Tesseract program or its language data is missing."""

    code = "ocr_unavailable"


class BadImage(BadDocument):
    """A photo cannot be read as an image (missing, empty, corrupt or an unsupported format)."""

    code = "bad_image"

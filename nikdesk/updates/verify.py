"""Run TUF's checks and say in German why something was refused."""

from __future__ import annotations

from tuf.api import exceptions
from tuf.api.metadata import TargetFile
from tuf.ngclient import Updater

from nikdesk.updates.errors import UpdateError, UpdateRefused, UpdateUnavailable


def targetinfo(updater: Updater, target: str) -> TargetFile:
    """Return a target's signed info (refused if the release does not list it)."""
    try:
        info = updater.get_targetinfo(target)
    except (exceptions.RepositoryError, exceptions.DownloadError) as exc:
        raise refusal(exc) from exc
    if info is None:
        raise UpdateRefused(f"Die signierte Freigabe enthält {target} nicht.")
    return info


def refresh(updater: Updater) -> None:
    """Refresh and verify all top-level metadata (root chain, timestamp, snapshot, targets)."""
    try:
        updater.refresh()
    except (exceptions.RepositoryError, exceptions.DownloadError) as exc:
        raise refusal(exc) from exc
    except OSError as exc:
        from nikdesk.updates.transport import disk_error

        raise disk_error(exc) from exc


def refusal(exc: Exception) -> UpdateError:
    """Translate a TUF error into a German reason."""
    if isinstance(exc, exceptions.UnsignedMetadataError):
        return UpdateRefused(
            "Die Signaturen reichen nicht aus (falscher Schlüssel oder zu wenige Unterschriften)."
        )
    if isinstance(exc, exceptions.BadVersionNumberError):
        return UpdateRefused(
            "Die angebotene Version ist älter als die bereits bekannte (Rollback)."
        )
    if isinstance(exc, exceptions.ExpiredMetadataError):
        return UpdateRefused(
            "Die Freigabe ist abgelaufen (veralteter Zeitstempel). Der Administrator muss neu "
            "veröffentlichen."
        )
    if isinstance(exc, exceptions.LengthOrHashMismatchError):
        return UpdateRefused("Die Metadaten passen nicht zusammen (verändert oder vermischt).")
    if isinstance(exc, exceptions.DownloadLengthMismatchError):
        return UpdateRefused("Die Quelle liefert mehr Daten als erlaubt (endlose Daten).")
    if isinstance(exc, exceptions.RepositoryError):
        return UpdateRefused(f"Die Metadaten sind ungültig ({exc}).")
    if isinstance(exc, exceptions.DownloadHTTPError):
        return UpdateUnavailable(
            f"Die Update-Quelle ist unvollständig ({exc}). Die installierte Version bleibt."
        )
    return UpdateUnavailable(
        f"Die Update-Quelle ist nicht erreichbar ({exc}). Die installierte Version bleibt."
    )

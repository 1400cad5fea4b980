"""Where releases come from: a web server (any static mirror) or one exported file (USB).

Both are ``tuf.ngclient`` fetchers, so metadata from a stick is verified by exactly the same
code as metadata from the server. Targets are fetched by :func:`download_target`: into a
``.part`` file that a later attempt continues (HTTP ``Range``), never longer than the signed
length (endless data is cut off and refused), hash-checked before it is used.
"""

from __future__ import annotations

import errno
import os
import tarfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from tuf.api import exceptions
from tuf.api.metadata import TargetFile
from tuf.ngclient.fetcher import FetcherInterface

from nikdesk.updates.errors import UpdateCancelled, UpdateError, UpdateRefused, UpdateUnavailable

BLOCK = 1 << 16
RETRIES = 3  # a dropped connection is resumed this often within one attempt
Progress = Callable[[int, int, str], None]  # (bytes done, bytes total, current target)


class Source(FetcherInterface):
    """A release source: base URLs for metadata and targets, plus resumable reads."""

    offline = False
    label = ""

    @property
    def metadata_url(self) -> str:
        """Return the base URL of the metadata."""
        return f"{self.base}/metadata/"

    @property
    def targets_url(self) -> str:
        """Return the base URL of the targets."""
        return f"{self.base}/targets/"

    base = ""

    def fetch_from(self, url: str, offset: int) -> Iterator[bytes]:
        """Yield the bytes of ``url`` from ``offset`` on."""
        raise NotImplementedError

    def _fetch(self, url: str) -> Iterator[bytes]:
        return self.fetch_from(url, 0)

    def close(self) -> None:
        """Release the connection pool or file."""


class HttpSource(Source):
    """A plain static web server or CDN mirror (the signatures are trusted, not the mirror)."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        import urllib3

        self.base = url.rstrip("/")
        self.label = self.base
        self._http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=timeout, read=timeout), retries=False
        )

    def fetch_from(self, url: str, offset: int) -> Iterator[bytes]:
        """Stream ``url`` from ``offset`` (``Range`` request; a 200 reply is skipped ahead)."""
        import urllib3

        headers = {"Range": f"bytes={offset}-"} if offset else {}
        try:
            response = self._http.request("GET", url, headers=headers, preload_content=False)
        except urllib3.exceptions.HTTPError as exc:
            raise exceptions.DownloadError(f"{url}: {exc}") from exc
        if response.status >= 400:
            _drop(response)  # its body stays unread: the connection must not be reused
            raise exceptions.DownloadHTTPError(f"HTTP {response.status} for {url}", response.status)
        skip = offset if (offset and response.status != 206) else 0
        return self._stream(response, skip)

    @staticmethod
    def _stream(response: object, skip: int) -> Iterator[bytes]:
        import urllib3

        done = False
        try:
            for block in response.stream(BLOCK):  # type: ignore[attr-defined]
                if skip:
                    cut = min(skip, len(block))
                    block, skip = block[cut:], skip - cut
                if block:
                    yield block
            done = True
        except urllib3.exceptions.HTTPError as exc:
            raise exceptions.DownloadError(f"connection dropped: {exc}") from exc
        finally:
            if done:
                response.release_conn()  # type: ignore[attr-defined]
            else:  # stopped early (too long, cancelled, error): unread bytes stay behind
                _drop(response)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.clear()


def _drop(response: object) -> None:
    """Close a response whose body is not read to the end, then hand back its pool slot.

    Returning the open connection would leave the unread bytes in front of the next reply
    (the next request then fails with ``BadStatusLine``); draining it would let a hostile
    mirror keep the laptop reading an endless body. The closed connection is reopened by the
    pool on its next use.
    """
    response.close()  # type: ignore[attr-defined]
    response.release_conn()  # type: ignore[attr-defined]


class FileSource(Source):
    """One exported file (``nikdesk release export``), e.g. from a USB stick."""

    offline = True
    base = "usb:"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = str(path)
        try:
            with tarfile.open(path, "r:") as tar:
                # where each member's bytes lie in the file: read in place, never unpacked
                self._members = {
                    m.name: (m.offset_data, m.size) for m in tar.getmembers() if m.isfile()
                }
        except (OSError, tarfile.TarError) as exc:
            raise UpdateUnavailable(
                f"Die Update-Datei {path} ist nicht lesbar oder keine NikDesk-Update-Datei ({exc})."
            ) from exc

    def fetch_from(self, url: str, offset: int) -> Iterator[bytes]:
        """Yield a member of the file (``usb:/metadata/x`` -> ``metadata/x``)."""
        name = url.removeprefix(self.base).lstrip("/")
        if name not in self._members:
            raise exceptions.DownloadHTTPError(f"{name} is not in {self.path}", 404)
        start, size = self._members[name]
        return _read_file(self.path, start + offset, size - offset)


class DirSource(Source):
    """A repository folder on this machine (the server installing what it serves)."""

    offline = False  # the folder is live: judge expiry like an online source

    def __init__(self, path: Path) -> None:
        self.path = path.resolve()
        self.label = str(self.path)
        self.base = "repo:"

    def fetch_from(self, url: str, offset: int) -> Iterator[bytes]:
        """Yield a file of the repository (``repo:/metadata/x`` -> ``<path>/metadata/x``)."""
        rel = url.removeprefix(self.base).lstrip("/")
        path = (self.path / rel).resolve()
        if not path.is_relative_to(self.path) or not path.is_file():
            raise exceptions.DownloadHTTPError(f"{rel} is not in {self.path}", 404)
        return _read_file(path, offset, path.stat().st_size - offset)


def _read_file(path: Path, start: int, size: int) -> Iterator[bytes]:
    with path.open("rb") as fh:
        fh.seek(start)
        left = size
        while left > 0:
            block = fh.read(min(BLOCK, left))
            if not block:
                return
            left -= len(block)
            yield block


def open_source(where: str) -> Source:
    """Return the source for a URL, an exported file or a repository folder."""
    if where.startswith(("http://", "https://")):
        return HttpSource(where)
    path = Path(where)
    if (path / "metadata" / "timestamp.json").is_file():
        return DirSource(path)
    if not path.is_file():
        raise UpdateUnavailable(f"Update-Datei nicht gefunden: {path}")
    return FileSource(path)


def target_url(source: Source, target: str, info: TargetFile) -> str:
    """Return the consistent-snapshot URL of a target."""
    folder, _, name = target.rpartition("/")
    hashed = f"{info.hashes['sha256']}.{name}"
    return f"{source.targets_url}{folder}/{hashed}" if folder else f"{source.targets_url}{hashed}"


def download_target(
    source: Source,
    target: str,
    info: TargetFile,
    folder: Path,
    progress: Callable[[int], None] | None = None,
    cancel: threading.Event | None = None,
) -> Path:
    """Download a target into ``folder``/<sha256>, resuming a ``.part``; return the file.

    Raises UpdateRefused if the data is longer than signed or its hash differs (the partial
    file is deleted), UpdateUnavailable if the source stays unreachable (the partial file is
    kept for the next attempt), UpdateCancelled if ``cancel`` is set.
    """
    sha = info.hashes["sha256"]
    final = folder / sha
    if final.is_file() and final.stat().st_size == info.length:
        _verify(final, target, info)
        return final
    part = folder / f"{sha}.part"
    url = target_url(source, target, info)
    for attempt in range(RETRIES + 1):
        have = part.stat().st_size if part.exists() else 0
        if have > info.length:
            part.unlink()
            have = 0
        if have == info.length:
            break
        try:
            _append(
                source.fetch_from(url, have), part, info.length - have, target, progress, cancel
            )
        except exceptions.DownloadHTTPError as exc:
            raise UpdateUnavailable(
                f"Die Datei {target} fehlt an der Update-Quelle ({exc.status_code}). "
                "Die installierte Version bleibt unverändert."
            ) from exc
        except OSError as exc:  # the buffered tail of a full disk surfaces at close
            raise disk_error(exc) from exc
        except exceptions.DownloadError as exc:
            if attempt == RETRIES:
                raise UpdateUnavailable(
                    f"Verbindung zur Update-Quelle abgebrochen ({exc}). Ein neuer Versuch "
                    "setzt den Download fort; die installierte Version bleibt unverändert."
                ) from exc
    if part.stat().st_size != info.length:
        raise UpdateUnavailable(
            f"Die Datei {target} kam unvollständig an. Ein neuer Versuch setzt fort; "
            "die installierte Version bleibt unverändert."
        )
    try:
        _verify(part, target, info)
    except UpdateRefused:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, final)
    return final


def _append(
    blocks: Iterator[bytes],
    part: Path,
    limit: int,
    target: str,
    progress: Callable[[int], None] | None,
    cancel: threading.Event | None,
) -> None:
    written = 0
    with part.open("ab") as fh:
        try:
            for block in blocks:
                if cancel is not None and cancel.is_set():
                    raise UpdateCancelled
                if written + len(block) > limit:
                    fh.close()
                    part.unlink(missing_ok=True)
                    raise UpdateRefused(
                        f"Die Quelle liefert für {target} mehr Daten als signiert (endlose Daten)."
                    )
                _write(fh, block)
                written += len(block)
                if progress:
                    progress(len(block))
        finally:
            close = getattr(blocks, "close", None)
            if close is not None:
                close()


def _write(fh: IO[bytes], block: bytes) -> None:
    """Write one block (the one place downloads touch the disk: tests inject ENOSPC here)."""
    try:
        fh.write(block)
    except OSError as exc:
        raise disk_error(exc) from exc


def disk_error(exc: OSError) -> UpdateError:
    """Return the German error for a write that failed (disk full or other)."""
    if exc.errno == errno.ENOSPC:
        return UpdateError(
            "Nicht genug Speicherplatz für das Update. Bitte Platz schaffen und erneut "
            "versuchen – die installierte Version bleibt unverändert."
        )
    return UpdateError(
        f"Update konnte nicht gespeichert werden ({exc.strerror or exc}). Die installierte "
        "Version bleibt unverändert."
    )


def _verify(path: Path, target: str, info: TargetFile) -> None:
    try:
        with path.open("rb") as fh:
            info.verify_length_and_hashes(fh)
    except exceptions.LengthOrHashMismatchError as exc:
        raise UpdateRefused(
            f"Die Daten zu {target} stimmen nicht mit der Signatur überein (verändert)."
        ) from exc

"""Fixtures of the update tests: an admin with keys and a repository, a provisioned laptop."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from nikdesk.updates.client import UpdateClient
from nikdesk.updates.keys import KeyRing, init_keys
from nikdesk.updates.publish import PublishReport, publish
from nikdesk.updates.repo import Repository
from tests.updates.kit import MANUALS, Server, make_index, serve


@dataclass
class Admin:
    """The admin's workplace: manuals, index, keys, repository."""

    work: Path
    keydir: Path
    repo: Repository
    manuals: dict[str, str]

    @classmethod
    def create(cls, tmp_path: Path, **key_options: int) -> Admin:
        """Make keys (``init_keys`` options: thresholds, key counts), publish release 1."""
        keydir = tmp_path / "keys"
        init_keys(keydir, **key_options)
        admin = cls(tmp_path / "admin", keydir, Repository(tmp_path / "repo"), dict(MANUALS))
        admin.publish()
        return admin

    def publish(self, days: float = 60, **changes: str | None) -> PublishReport:
        """Change manuals (relpath=text, or None to remove), rebuild, publish."""
        for relpath, text in changes.items():
            key = relpath.replace("__", "/")
            if text is None:
                self.manuals.pop(key, None)
            else:
                self.manuals[key] = text
        index = make_index(self.work, self.manuals)
        return publish(index, self.repo, KeyRing(self.keydir), self.work / "docs", days)


@pytest.fixture
def admin(tmp_path: Path) -> Admin:
    """Keys (targets threshold 1) and release 1 published in a repository."""
    return Admin.create(tmp_path)


@pytest.fixture
def server(admin: Admin) -> Iterator[Server]:
    """The repository on a plain static web server on loopback."""
    with serve(admin.repo.path) as s:
        yield s


@pytest.fixture
def laptop(admin: Admin, server: Server) -> UpdateClient:
    """A laptop provisioned with the admin's root and release 1 installed."""
    client = UpdateClient()
    client.trust(admin.keydir / "root.json")
    client.apply(server.url)
    return client

"""One file for a USB stick: the repository's metadata chain and the current release's targets.

``export(repo, out)`` writes an uncompressed tar (manuals are already compressed; members are
read in place without unpacking). ``nikdesk update apply --from FILE`` reads it through
:class:`~nikdesk.updates.transport.FileSource`, i.e. the same TUF verification as a download.
Every root version is included, so a laptop that missed key rotations catches up from the
stick. How expiry is judged offline: see clock.py.
"""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

from nikdesk.updates.errors import PublishError
from nikdesk.updates.repo import Repository


def export(repo: Repository, out: Path) -> int:
    """Write the current release of ``repo`` to ``out``; return its size in bytes."""
    ts = repo.timestamp()
    snap = repo.snapshot()
    md = repo.targets_md()
    if ts is None or snap is None or md is None:
        raise PublishError(f"Unter {repo.path} ist keine Freigabe veröffentlicht.")
    files = [f"metadata/{v}.root.json" for v in repo.root_versions()]
    files += [
        "metadata/timestamp.json",
        f"metadata/{ts.signed.snapshot_meta.version}.snapshot.json",
        f"metadata/{snap.signed.meta['targets.json'].version}.targets.json",
    ]
    files += [
        repo.target_path(t, info).relative_to(repo.path).as_posix()
        for t, info in sorted(md.signed.targets.items())
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        with tarfile.open(tmp, "w:", format=tarfile.PAX_FORMAT) as tar:
            for rel in files:
                tar.add(repo.path / rel, arcname=rel, recursive=False)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out.stat().st_size

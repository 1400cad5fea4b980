"""Signed manual releases (TUF): admins publish, laptops verify, stage and switch atomically.

Admin side: :mod:`keys` (root and online keys, rotation), :mod:`repo` (the TUF repository on
disk), :mod:`publish` (an index bundle -> release targets + release notes), :mod:`usb` (export).
Laptop side: :mod:`client` (check/apply/rollback), :mod:`transport` (HTTP and USB-file fetchers,
resumable target downloads), :mod:`verify` (TUF checks, German refusals), :mod:`install`
(staging, the one atomic switch, rollback),
:mod:`installed` (which release is installed; tiny, imported by the retriever's composition).
Wire types shared by both: :mod:`release`. Expiry and the clock: see :mod:`clock`.
"""


def missing_extra(exc: ImportError) -> Exception:
    """Return the typed error for a missing python-tuf (the ``updates`` extra)."""
    from nikdesk.core.errors import MissingExtra

    return MissingExtra(exc.name or "tuf", "updates", "Handbuch-Updates (signierte Versionen)")

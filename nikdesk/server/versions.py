"""The per-user server change counter that orders a user's synced rows (issue 10 pull cursor).

Every write to a user's synced rows calls :func:`next_version` in the same transaction and
stores the result in the row's ``version``. The UPDATE takes the user's ``user_versions`` row
lock (PostgreSQL: the same lock as SELECT ... FOR UPDATE; SQLite: the database write lock taken
at BEGIN IMMEDIATE), so a user's writes are serialised and versions follow commit order.
"""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from nikdesk.server.models import UserVersion


def next_version(session: Session, user_id: str) -> int:
    """Bump and return the user's version (locks their row until the transaction ends)."""
    stmt = (
        update(UserVersion)
        .where(UserVersion.user_id == user_id)
        .values(version=UserVersion.version + 1)
        .returning(UserVersion.version)
    )
    version = session.execute(stmt).scalar_one_or_none()
    if version is None:  # user created before the row existed: create it, then bump
        ensure_version_row(session, user_id)
        version = session.execute(stmt).scalar_one()
    return int(version)


def ensure_version_row(session: Session, user_id: str) -> None:
    """Create the user's counter row at 0 if missing (done when a user is created)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(
            pg_insert(UserVersion)
            .values(user_id=user_id, version=0)
            .on_conflict_do_nothing(index_elements=["user_id"])
        )
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(
            sqlite_insert(UserVersion)
            .values(user_id=user_id, version=0)
            .on_conflict_do_nothing(index_elements=["user_id"])
        )
    else:
        session.execute(insert(UserVersion).values(user_id=user_id, version=0))


def current_version(session: Session, user_id: str) -> int:
    """Return the user's newest version without bumping it (0 for none)."""
    row = session.get(UserVersion, user_id)
    return int(row.version) if row else 0

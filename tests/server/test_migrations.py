"""The Alembic migrations create exactly the ORM tables (no drift) and run down and up again."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from nikdesk.server import models  # noqa: F401  (registers the tables)
from nikdesk.server.db import Base, make_engine
from nikdesk.server.migrate import alembic_config, current_revision, head_revision, upgrade


def test_migrations_match_the_models_and_roundtrip(database_url: str) -> None:
    engine = make_engine(database_url, pool_size=1)
    try:
        assert current_revision(engine) is None
        assert upgrade(engine) == head_revision()
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"models and migrations differ (add a migration): {diff}"
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables

        cfg = alembic_config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        assert not set(Base.metadata.tables) & set(inspect(engine).get_table_names())
        assert upgrade(engine) == head_revision()
        assert upgrade(engine) == head_revision()  # idempotent
    finally:
        engine.dispose()

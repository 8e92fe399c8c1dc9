"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from engine.migrate import current_revision
from engine.models import Base


def test_migrated_schema_matches_the_models(engine, db_url):
    with engine.db.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    assert current_revision(db_url) is not None

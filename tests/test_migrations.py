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


def test_the_latest_migrations_go_down_and_up_again_with_data_in_place(engine, db_url, staff):
    from alembic import command

    from engine.migrate import alembic_config, upgrade
    from tests.helpers import intake, person

    case = engine.create_case(staff["clerk1"], "SCJG-002", person(), intake(engine, "SCJG-002"))
    engine.db.dispose()
    command.downgrade(alembic_config(db_url), "0003")
    assert current_revision(db_url) == "0003"
    upgrade(db_url)
    with engine.db.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    assert engine.get_case(case.number).status == case.status

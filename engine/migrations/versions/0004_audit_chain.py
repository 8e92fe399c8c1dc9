"""audit hash chains

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 10:12:40.118532
"""

import sqlalchemy as sa
from alembic import op

import engine.db
from engine.audit.chain import GENESIS, chain_key, entry_hash

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    op.create_table('audit_chain',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('length', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.Column('last_entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_audit_chain'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('entry_hash', sa.String(length=64), nullable=True))
    _chain_existing_entries()
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.alter_column('chain_seq', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('entry_hash', existing_type=sa.String(length=64), nullable=False)


def _chain_existing_entries() -> None:
    """Hash the entries written before chaining, in id order, into the same chains new entries use."""
    entries = sa.table('audit_entry', sa.column('id', sa.BigInteger()), sa.column('at', engine.db.UTCDateTime()),
                       sa.column('actor', sa.String()), sa.column('actor_id', sa.Integer()),
                       sa.column('action', sa.String()), sa.column('case_id', sa.Integer()),
                       sa.column('task_id', sa.String()), sa.column('before_status', sa.String()),
                       sa.column('after_status', sa.String()), sa.column('detail', sa.JSON()),
                       sa.column('chain_seq', sa.Integer()), sa.column('prev_hash', sa.String()),
                       sa.column('entry_hash', sa.String()))
    chains = sa.table('audit_chain', sa.column('key', sa.String()), sa.column('length', sa.Integer()),
                      sa.column('last_hash', sa.String()), sa.column('last_entry_id', sa.BigInteger()))
    update = entries.update().where(entries.c.id == sa.bindparam('b_id')).values(
        chain_seq=sa.bindparam('b_seq'), prev_hash=sa.bindparam('b_prev'), entry_hash=sa.bindparam('b_hash'))
    connection = op.get_bind()
    heads: dict[str, tuple[int, str, int]] = {}
    last_id = 0
    while True:
        # Keyset pages: the updates below must not run while a cursor over the same table is open.
        rows = connection.execute(sa.select(entries).where(entries.c.id > last_id).order_by(entries.c.id)
                                  .limit(BATCH)).mappings().all()
        if not rows:
            break
        changes = []
        for row in rows:
            key = chain_key(row['case_id'], row['actor'])
            length, previous, _ = heads.get(key, (0, GENESIS, None))
            digest = entry_hash(row, length + 1, previous)
            heads[key] = (length + 1, digest, row['id'])
            changes.append({'b_id': row['id'], 'b_seq': length + 1, 'b_prev': previous, 'b_hash': digest})
        connection.execute(update, changes)
        last_id = rows[-1]['id']
    if heads:
        connection.execute(chains.insert(), [{'key': key, 'length': length, 'last_hash': digest,
                                              'last_entry_id': entry_id}
                                             for key, (length, digest, entry_id) in heads.items()])


def downgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('entry_hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('chain_seq')
    op.drop_table('audit_chain')

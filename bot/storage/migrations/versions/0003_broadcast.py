"""Campaign updates (issue 12): the consent to receive them, the broadcasts, and one delivery row per recipient."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The tables of bot/broadcast/store.py; user ids are in USER_TABLES (/forget, /mydata). Times: epoch seconds.

    Tables that already exist (a database made by the pre-migration broadcast.sql) are kept, as 0001 does.
    """
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "broadcast_deliveries" in existing:
        return
    if "update_consent" not in existing:
        _consent()
    if "broadcasts" not in existing:
        _broadcasts()
    _deliveries()


def _consent() -> None:
    """Who agreed to receive campaign updates."""
    op.create_table(
        "update_consent",
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("lang", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("consent_version", sa.Text, nullable=False),
        sa.Column("agreed", sa.Text, nullable=False),
    )


def _broadcasts() -> None:
    """One row per campaign update."""
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created", sa.Text, nullable=False),
        sa.Column("created_by", sa.BigInteger),
        sa.Column("texts", sa.Text, nullable=False),
        sa.Column("buttons", sa.Text, nullable=False),
        sa.Column("button_url", sa.Text),
        sa.Column("audience", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("confirmed_by", sa.BigInteger),
        sa.Column("confirmed", sa.Text),
        sa.Column("started", sa.Float),
        sa.Column("finished", sa.Float),
        sa.Column("lease_owner", sa.Text),
        sa.Column("lease_until", sa.Float),
        sa.Column("status_chat_id", sa.BigInteger),
        sa.Column("status_message_id", sa.BigInteger),
    )


def _deliveries() -> None:
    """One row per recipient of a broadcast, and the index the sender walks."""
    op.create_table(
        "broadcast_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("broadcast_id", sa.Integer, sa.ForeignKey("broadcasts.id"), nullable=False),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("lang", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_try", sa.Float, nullable=False, server_default="0"),
        sa.Column("error", sa.Text),
        sa.Column("updated", sa.Float, nullable=False),
        sa.UniqueConstraint("broadcast_id", "user_id"),
    )
    op.create_index("broadcast_deliveries_due", "broadcast_deliveries", ["broadcast_id", "status", "id"])


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_index("broadcast_deliveries_due", "broadcast_deliveries")
    for table in ("broadcast_deliveries", "broadcasts", "update_consent"):
        op.drop_table(table)

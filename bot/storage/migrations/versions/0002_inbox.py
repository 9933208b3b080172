"""The inbox of webhook updates: stored before Telegram gets its 200, then handled once by the worker that claims it."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """One row per update_id (a retried delivery finds it there); times are epoch seconds on the database's clock."""
    op.create_table(
        "inbox",
        sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("received", sa.Float, nullable=False),
        sa.Column("locked_by", sa.Text),
        sa.Column("locked_until", sa.Float),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("done_at", sa.Float),
    )
    # The claim looks for the oldest pending update of each chat: keep that search on the pending rows only.
    op.create_index("inbox_pending", "inbox", ["chat_id", "update_id"],
                    postgresql_where=sa.text("done_at IS NULL"), sqlite_where=sa.text("done_at IS NULL"))

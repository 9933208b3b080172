"""Baseline: the tables of the former schema.sql; tables that already exist (a database from before) are kept."""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Telegram user and chat ids pass 2**31, so they are BIGINT on PostgreSQL (SQLite's INTEGER is 64-bit anyway).
ID = sa.BigInteger


def _tables() -> dict[str, list]:
    """Each table's columns and constraints, as schema.sql had them."""
    return {
        "users": [sa.Column("user_id", ID, primary_key=True, autoincrement=False), sa.Column("lang", sa.Text),
                  sa.Column("updated", sa.Text, nullable=False)],
        "flow_state": [sa.Column("user_id", ID, primary_key=True, autoincrement=False),
                       *(sa.Column(name, sa.Text, nullable=False)
                         for name in ("flow", "step", "answers", "history", "updated"))],
        "progress": [sa.Column("user_id", ID, primary_key=True, autoincrement=False),
                     sa.Column("item", sa.Text, primary_key=True), sa.Column("done_at", sa.Text, nullable=False)],
        "signups": [sa.Column("ref", sa.Text, primary_key=True),
                    sa.Column("user_id", ID, nullable=False, unique=True),
                    *(sa.Column(name, sa.Text, nullable=False) for name in ("country", "platforms", "eligibility")),
                    sa.Column("contact_ok", sa.Integer, nullable=False),
                    sa.Column("consent_version", sa.Text, nullable=False),
                    sa.Column("created", sa.Text, nullable=False)],
        "tickets": [sa.Column("id", sa.Integer, primary_key=True), sa.Column("user_id", ID, nullable=False),
                    sa.Column("chat_id", ID, nullable=False), sa.Column("lang", sa.Text, nullable=False),
                    sa.Column("topic", sa.Text, nullable=False),
                    sa.Column("show_name", sa.Integer, nullable=False, server_default="0"),
                    sa.Column("status", sa.Text, nullable=False), sa.Column("opened", sa.Text, nullable=False),
                    sa.Column("closed", sa.Text)],
        "ticket_messages": [sa.Column("staff_chat_id", ID, primary_key=True, autoincrement=False),
                            sa.Column("staff_message_id", ID, primary_key=True, autoincrement=False),
                            sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"),
                                      nullable=False),
                            sa.Column("user_id", ID, nullable=False)],
        "counters": [sa.Column("day", sa.Text, primary_key=True), sa.Column("metric", sa.Text, primary_key=True),
                     sa.Column("key", sa.Text, primary_key=True), sa.Column("count", sa.Integer, nullable=False)],
        "faq_entries": [sa.Column("id", sa.Integer, primary_key=True),
                        sa.Column("slug", sa.Text, nullable=False, unique=True),
                        sa.Column("entry", sa.Text, nullable=False), sa.Column("created", sa.Text, nullable=False)],
        "unanswered": [sa.Column("id", sa.Integer, primary_key=True),
                       *(sa.Column(name, sa.Text, nullable=False) for name in ("day", "lang", "reason", "text"))],
        "answer_log": [sa.Column("id", sa.Integer, primary_key=True),
                       *(sa.Column(name, sa.Text, nullable=False)
                         for name in ("created", "lang", "topic", "question"))],
        "drafts": [sa.Column("id", sa.Integer, primary_key=True),
                   sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
                   sa.Column("text", sa.Text, nullable=False), sa.Column("created", sa.Text, nullable=False)],
    }


def upgrade() -> None:
    """Create what is missing, in dependency order (tickets before the tables that point at it)."""
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name, columns in _tables().items():
        if name not in existing:
            # AUTOINCREMENT on SQLite, as schema.sql had: a deleted ticket's number is never given out again.
            op.create_table(name, *columns, sqlite_autoincrement=any(c.name == "id" for c in columns))

"""`legalbot broadcast send | status | stats` on a real database: preview, confirmation, counts without user ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import _parser
from bot.broadcast.cli import run_broadcast
from bot.broadcast.store import BroadcastStore
from bot.storage import open_storage
from tests.conftest import make_settings

UPDATE = "# Hearing\n## en\nThe <b>hearing</b> is on 3 March.\nbutton: Read more\n## fr\nL'audience a lieu le 3 mars.\n"


def run(tmp_path: Path, *args: str, answer: str = "") -> int:
    """One `legalbot broadcast ...` on the test's database; `answer` is what the operator types."""
    settings = make_settings(tmp_path, corpus_dir=None)
    return run_broadcast(_parser().parse_args(["broadcast", *args]), settings, ask=lambda _prompt: answer)


def test_send_previews_asks_and_queues_and_status_and_stats_show_counts_only(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Dry run and a refused confirmation store nothing; 'yes' queues it; stats show no user id."""
    storage = open_storage(make_settings(tmp_path, corpus_dir=None).db_path)
    store = BroadcastStore(storage.db)
    for user_id, lang in ((424242, "fr"), (434343, "de"), (444444, "en")):
        store.give_consent(user_id, lang, "updates", "v")
    update = tmp_path / "update.md"
    update.write_text(UPDATE, encoding="utf-8")
    assert run(tmp_path, "send", str(update), "--button-url", "https://x.example", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "--- fr ---\nL'audience a lieu le 3 mars.\n[Read more](https://x.example)" in out
    assert "Recipients: 3 (en 1, fr 1, de 1)" in out and "Will get English because their language has no text: 1" in out
    assert run(tmp_path, "send", str(update), "--button-url", "https://x.example", answer="no") == 1
    assert storage.db.query("SELECT COUNT(*) AS n FROM broadcasts")[0]["n"] == 0
    assert run(tmp_path, "send", str(update), "--button-url", "https://x.example", answer="yes") == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "1"
    row = store.due(1, 0, 10)[0]  # as the sender records a 403
    assert store.start_sending(row["id"])
    store.settle(row["id"], "blocked")
    assert run(tmp_path, "status", "1") == 0
    assert "Sent 0 · failed 0 · blocked 1 · remaining 2 · of 3" in capsys.readouterr().out
    assert run(tmp_path, "stats", "1") == 0
    stats = capsys.readouterr().out
    assert "delivered: 0\nblocked: 1\nfailed: 0" in stats
    assert not any(str(user_id) in stats for user_id in (424242, 434343, 444444))
    assert run(tmp_path, "resend-uncertain", "1") == 1  # nothing uncertain
    assert run(tmp_path, "pause", "1") == 0 and "paused" in capsys.readouterr().out
    assert run(tmp_path, "pause", "1") == 1 and run(tmp_path, "resume", "1") == 0
    row = store.due(1, 0, 10)[0]  # a crash in the middle of a send, then a new sender takes over
    assert store.start_sending(row["id"]) and store.orphaned_to_uncertain(1) == 1
    assert run(tmp_path, "resend-uncertain", "1") == 0 and store.progress(1).counts == {"blocked": 1, "pending": 2}
    assert run(tmp_path, "cancel", "1") == 0 and store.progress(1).counts == {"blocked": 1, "cancelled": 2}
    assert run(tmp_path, "resume", "1") == 1 and run(tmp_path, "resend-uncertain", "1") == 1
    storage.db.close()

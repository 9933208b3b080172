"""`legalbot signups export`: the consented records as CSV, nothing about people who withdrew."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.core.flows import FlowSession
from bot.settings import get_settings
from bot.storage import open_storage
from bot.storage.export import COLUMNS, export_signups
from tests.conftest import make_settings


def sign_up(session: FlowSession, country: str, contact: str) -> None:
    """Walk the sign-up to the end."""
    session.start("signup")
    for step in ("intro:ok", f"country:c:{country}", "platforms:c:both", "adult:c:yes", "consent:c:yes",
                 f"contact:c:{contact}", "summary:ok"):
        session.press(f"fl:signup:{step}")


def test_export_writes_consented_records_only(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", corpus_dir=None)
    storage = open_storage(settings.db_path)
    for user_id, country, contact in ((11, "FR", "yes"), (12, "DE", "no"), (13, "NL", "yes")):
        sign_up(FlowSession(storage, settings, user_id, "en"), country, contact)
    FlowSession(storage, settings, 13, "en").press("fg:yes")  # withdrew: /forget erased the record
    out = tmp_path / "out" / "signups.csv"
    assert export_signups(settings, out) == 2
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == COLUMNS
    by_country = {row["country"]: row for row in rows}
    assert set(by_country) == {"FR", "DE"}
    assert by_country["FR"]["telegram_user_id"] == "11" and by_country["FR"]["contact_ok"] == "yes"
    assert by_country["DE"]["telegram_user_id"] == "" and by_country["DE"]["contact_ok"] == "no"
    assert by_country["FR"]["platforms"] == "facebook+instagram"
    assert by_country["FR"]["adult_on_2025_05_27"] == "yes" and by_country["FR"]["resident_eea"] == "FR"
    assert by_country["FR"]["consent_version"] == "2025-06-03" and len(by_country["FR"]["ref"]) == 9


def test_cli_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LEGALBOT_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    try:
        out = tmp_path / "signups.csv"
        assert main(["signups", "export", "--out", str(out)]) == 0
    finally:
        get_settings.cache_clear()
    assert "0 records written" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8").splitlines() == [",".join(COLUMNS)]

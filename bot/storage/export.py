"""`legalbot signups export --out FILE.csv`: the consented sign-up records for the NGO's staff."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from bot.settings import Settings
from bot.storage.store import open_storage

COLUMNS = ("ref", "created", "country", "platforms", "resident_eea", "account_on_2025_05_27",
           "adult_on_2025_05_27", "contact_ok", "telegram_user_id", "consent_version")


def rows(records: list[dict]) -> list[dict[str, str]]:
    """One flat row per record; the Telegram id only where the person agreed to be contacted there."""
    out = []
    for record in records:
        eligibility = json.loads(record["eligibility"])
        contact = bool(record["contact_ok"])
        out.append({
            "ref": record["ref"],
            "created": record["created"],
            "country": record["country"],
            "platforms": "+".join(json.loads(record["platforms"])),
            **{key: str(eligibility.get(key, "")) for key in COLUMNS[4:7]},
            "contact_ok": "yes" if contact else "no",
            # Data minimisation: staff need the id only to contact someone who agreed to it.
            "telegram_user_id": str(record["user_id"]) if contact else "",
            "consent_version": record["consent_version"],
        })
    return out


def export_signups(settings: Settings, out: Path) -> int:
    """Write every stored record (withdrawn ones were erased by /forget) as CSV; returns how many."""
    storage = open_storage(settings.storage_target)
    try:
        records = storage.signups()
    finally:
        storage.db.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows(records))
    return len(records)

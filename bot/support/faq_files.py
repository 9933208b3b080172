"""`legalbot faq export|import`: vetted entries to and from knowledge/faq/<slug>.<lang>.md for review in the repo."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.core.types import LANGS
from bot.errors import LegalbotError
from bot.settings import Settings
from bot.storage import Storage, open_storage

VETTED_KEY = "vetted"  # front-matter flag: the file mirrors a vetted entry of the database


def render_file(slug: str, lang: str, entry: dict[str, Any], updated: str) -> str:
    """One language of an entry in the format of docs/KNOWLEDGE.md, with `vetted: true`."""
    variants = entry["questions"][lang]
    meta: dict[str, Any] = {"id": f"faq/{slug}", "lang": lang, "title": variants[0], "updated": updated}
    if entry.get("refs"):
        meta["refs"] = list(entry["refs"])
    if variants[1:]:
        meta["questions"] = list(variants[1:])
    meta[VETTED_KEY] = True
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000).strip()
    return f"---\n{front}\n---\n{entry['answers'][lang].strip()}\n"


def parse_file(path: Path) -> tuple[dict[str, Any], str] | None:
    """(front matter, body) of a vetted file; None for the NGO's hand-written FAQ files."""
    from ingest.knowledge import read_front_matter

    meta, body = read_front_matter(path)
    return (meta, body) if meta.get(VETTED_KEY) is True else None


def export_entries(storage: Storage, folder: Path) -> list[Path]:
    """Write every vetted entry's languages; never overwrite a file that is not itself vetted."""
    folder.mkdir(parents=True, exist_ok=True)
    updated = datetime.now(UTC).date().isoformat()
    written = []
    for row in storage.faqs():
        entry = row["entry"]
        for lang in LANGS:
            if not entry.get("questions", {}).get(lang) or not entry.get("answers", {}).get(lang):
                continue
            path = folder / f"{row['slug']}.{lang}.md"
            if path.exists() and parse_file(path) is None:
                raise LegalbotError(f"{path} is a hand-written FAQ text; rename the vetted entry {row['slug']!r}.")
            path.write_text(render_file(row["slug"], lang, entry, updated), encoding="utf-8")
            written.append(path)
    return written


def read_entries(folder: Path) -> dict[str, dict[str, Any]]:
    """Vetted files grouped by slug into entries (hand-written FAQ files are skipped)."""
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.md")):
        parsed = parse_file(path)
        if parsed is None:
            continue
        meta, body = parsed
        slug = str(meta["id"]).removeprefix("faq/")
        entry = entries.setdefault(slug, {"questions": {}, "answers": {}, "refs": []})
        entry["questions"][meta["lang"]] = [str(meta["title"]), *(str(q) for q in meta.get("questions") or [])]
        entry["answers"][meta["lang"]] = body
        entry["refs"] += [str(ref) for ref in meta.get("refs") or [] if str(ref) not in entry["refs"]]
    return entries


def import_entries(storage: Storage, folder: Path) -> int:
    """Add or update the database entries from the vetted files; entries without a file are kept."""
    entries = read_entries(folder)
    for slug, entry in entries.items():
        storage.add_faq(slug, entry)
    return len(entries)


def run_faq_files(settings: Settings, action: str, folder: Path | None) -> int:
    """The CLI sub-command; prints one line per outcome."""
    folder = folder or settings.knowledge_dir / "faq"
    storage = open_storage(settings.storage_target)
    try:
        if action == "export":
            written = export_entries(storage, folder)
            print(f"{len(written)} vetted FAQ files written to {folder}.")
            slugs = [path.name.split(".")[0] for path in written]
            partial = sorted({slug for slug in slugs if slugs.count(slug) < len(LANGS)})
            if partial:
                print(f"Not in all three languages yet (the repository's tests expect all three): {', '.join(partial)}")
            return 0
        if action == "import":
            print(f"{import_entries(storage, folder)} vetted FAQ entries imported from {folder}; the bot picks them up "
                  "at its next start.")
            return 0
        raise LegalbotError(f"Unknown faq action {action!r}: use export or import.")
    finally:
        storage.db.close()

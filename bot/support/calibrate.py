"""Measure the vetted-answer threshold on the dev set: `python -m bot.support.calibrate`.

Method: every FAQ file in knowledge/faq plays a vetted entry (its title and `questions:` variants are the question
variants). Each dev-set question is matched against the entries of its own language, with any variant identical to
the question left out so that nothing is matched to itself. The match is *right* when the best entry is one of the
question's expected sources, *wrong* otherwise (every off-topic prompt's match is wrong). The threshold must sit
above every wrong match; what remains above it is the share of dev questions a vetted answer would serve.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.core.embeddings import Embedder
from bot.settings import REPO_ROOT
from bot.support.vetted import VettedEntry, VettedFaq, same_question

DEV_SET = REPO_ROOT / "tests" / "eval" / "questions.jsonl"
FAQ_DIR = REPO_ROOT / "knowledge" / "faq"


@dataclass(frozen=True)
class Scored:
    """One dev question's best match."""

    q: str
    lang: str
    slug: str
    score: float
    right: bool


def faq_entries(folder: Path = FAQ_DIR) -> list[VettedEntry]:
    """The repository's FAQ files as vetted entries (one per slug, all its languages)."""
    from ingest.knowledge import read_front_matter

    merged: dict[str, dict[str, dict]] = {}
    for path in sorted(folder.glob("*.md")):
        meta, body = read_front_matter(path)
        slug, lang = str(meta["id"]).split("/", 1)[1], meta["lang"]
        entry = merged.setdefault(slug, {"questions": {}, "answers": {}})
        entry["questions"][lang] = [str(meta["title"]), *(str(q) for q in meta.get("questions") or [])]
        entry["answers"][lang] = body
    return [VettedEntry.from_row({"id": i, "slug": slug, "entry": e}) for i, (slug, e) in enumerate(merged.items(), 1)]


def score_dev_set(embedder: Embedder, entries: list[VettedEntry], dev_set: Path = DEV_SET) -> list[Scored]:
    """The best entry and its similarity for every dev question, variants equal to the question excluded."""
    rows = [json.loads(line) for line in dev_set.read_text(encoding="utf-8").splitlines() if line.strip()]
    results = []
    for row in rows:
        pruned = [VettedEntry(e.faq_id, e.slug, {lang: [v for v in vs if not same_question(v, row["q"])]
                                                 for lang, vs in e.questions.items()}, e.answers, e.refs)
                  for e in entries]
        matcher = VettedFaq(embedder)
        matcher.load(pruned)
        best = matcher.best(row["q"], row["lang"])
        if best is not None:
            results.append(Scored(row["q"], row["lang"], best.entry.slug, best.score,
                                  f"faq/{best.entry.slug}" in row["expect"]))
    return results


def report(scored: list[Scored], thresholds: tuple[float, ...] = (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)) -> str:
    """A table: for each threshold, right and wrong vetted answers per language."""
    lines = ["threshold  " + "  ".join(f"{lang}: right/wrong" for lang in ("en", "fr", "de"))]
    for t in thresholds:
        cells = []
        for lang in ("en", "fr", "de"):
            above = [s for s in scored if s.lang == lang and s.score >= t]
            cells.append(f"{lang}: {sum(s.right for s in above):>3}/{sum(not s.right for s in above):<3}")
        lines.append(f"{t:>9.2f}  " + "     ".join(cells))
    wrong = max((s.score for s in scored if not s.right), default=0.0)
    lines.append(f"highest wrong match: {wrong:.3f}; questions: {len(scored)}")
    return "\n".join(lines)


def main() -> int:
    """Print the table for the bundled model."""
    from bot.core.embeddings import load_embedder
    from bot.settings import get_settings

    settings = get_settings()
    scored = score_dev_set(load_embedder(settings.embedding_model, settings.embedding_max_tokens), faq_entries())
    print(report(scored))
    for s in sorted((s for s in scored if not s.right), key=lambda s: -s.score)[:8]:
        print(f"  wrong {s.score:.3f} {s.lang} faq/{s.slug} <- {s.q[:70]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

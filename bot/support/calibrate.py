"""Measure the vetted-answer thresholds: `python -m bot.support.calibrate`.

Every FAQ file in knowledge/faq plays a vetted entry (its title and `questions:` variants are the question variants).
Two measurements, each per language, of the best-matching entry and its cosine similarity:
- dev set: each question of tests/eval/questions.jsonl, with any variant identical to it left out. The match is
  right when the entry is one of the question's expected sources; every off-topic prompt's match is wrong.
- held-out variants: each FAQ variant against all the other variants. Right when it finds its own entry.
A threshold is safe when no wrong match reaches it; what is right above it is what vetted answers would serve.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.core.embeddings import Embedder
from bot.core.types import LANGS
from bot.settings import REPO_ROOT
from bot.support.vetted import THRESHOLDS, VettedEntry, same_question

DEV_SET = REPO_ROOT / "tests" / "eval" / "questions.jsonl"
FAQ_DIR = REPO_ROOT / "knowledge" / "faq"
DUPLICATE = 0.94  # variants this close in two entries are the same question asked twice in our FAQ: reported apart


@dataclass(frozen=True)
class Scored:
    """One question's best match."""

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


@dataclass(frozen=True)
class Variants:
    """(entry, lang, text) for every question variant of the entries, and their unit vectors as one matrix."""

    rows: list[tuple[VettedEntry, str, str]]
    vectors: np.ndarray

    @classmethod
    def embed(cls, embedder: Embedder, entries: list[VettedEntry]) -> Variants:
        """Embed every variant once (both measurements share them)."""
        rows = [(e, lang, text) for e in entries for lang in e.langs() for text in e.questions[lang]]
        return cls(rows, np.asarray(embedder.embed([text for _, _, text in rows])))


def score_dev_set(embedder: Embedder, embedded: Variants, dev_set: Path = DEV_SET) -> list[Scored]:
    """The best entry for every dev question, variants identical to the question excluded."""
    rows = [json.loads(line) for line in dev_set.read_text(encoding="utf-8").splitlines() if line.strip()]
    variants, vectors = embedded.rows, embedded.vectors
    similarity = np.asarray(embedder.embed([row["q"] for row in rows])) @ vectors.T
    results = []
    for i, row in enumerate(rows):
        allowed = [j for j, (_, lang, text) in enumerate(variants) if lang == row["lang"]
                   and not same_question(text, row["q"])]
        best = max(allowed, key=lambda j: similarity[i, j])
        slug = variants[best][0].slug
        results.append(Scored(row["q"], row["lang"], slug, float(similarity[i, best]), f"faq/{slug}" in row["expect"]))
    return results


def score_held_out(embedded: Variants) -> list[Scored]:
    """The best other variant for every FAQ variant; near-identical variants of two entries are dropped."""
    variants, vectors = embedded.rows, embedded.vectors
    similarity = vectors @ vectors.T
    results = []
    for i, (entry, lang, text) in enumerate(variants):
        best = max((j for j, (_, other, _) in enumerate(variants) if j != i and other == lang),
                   key=lambda j: similarity[i, j])
        found, score = variants[best][0], float(similarity[i, best])
        if found.slug == entry.slug or score < DUPLICATE:
            results.append(Scored(text, lang, found.slug, score, found.slug == entry.slug))
    return results


def table(name: str, scored: list[Scored], thresholds: tuple[float, ...] = (0.75, 0.8, 0.85, 0.9)) -> str:
    """Right/wrong matches at or above each threshold, per language, and the highest wrong score."""
    lines = [f"{name}: {len(scored)} questions"]
    for lang in LANGS:
        mine = [s for s in scored if s.lang == lang]
        cells = []
        for t in thresholds:
            above = [s for s in mine if s.score >= t]
            cells.append(f"≥{t:.2f} {sum(s.right for s in above)}/{sum(not s.right for s in above)}")
        wrong = max((s.score for s in mine if not s.right), default=0.0)
        lines.append(f"  {lang} (n={len(mine)}): right/wrong " + "  ".join(cells) + f"  highest wrong {wrong:.3f}")
    return "\n".join(lines)


def main() -> int:
    """Print both tables for the configured model and the thresholds in force."""
    from bot.core.embeddings import load_embedder
    from bot.settings import get_settings

    settings = get_settings()
    embedder = load_embedder(settings.embedding_model, settings.embedding_max_tokens)
    embedded = Variants.embed(embedder, faq_entries())
    print(table("dev set", score_dev_set(embedder, embedded)))
    print(table("held-out FAQ variants", score_held_out(embedded)))
    print("thresholds in force:", THRESHOLDS)
    return 0


if __name__ == "__main__":
    sys.exit(main())

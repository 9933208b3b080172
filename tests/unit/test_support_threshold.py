"""The vetted-answer thresholds hold on the dev set with the real (bundled) model."""

from __future__ import annotations

import json

import pytest

from bot.core.embeddings import Embedder, load_embedder
from bot.settings import BUNDLED_MODEL
from bot.support.calibrate import DEV_SET, Variants, faq_entries, score_dev_set, score_held_out
from bot.support.vetted import THRESHOLDS, VettedEntry, VettedFaq

pytestmark = pytest.mark.slow

STAFF_ENTRY = VettedEntry(1, "will-objecting-delete-my-account", {
    "en": ["Will objecting to Meta's AI training delete my Instagram account?",
           "Does my account get deleted if I object?"]}, {"en": "No."}, ("faq/delete-account",))


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    """The bundled MiniLM."""
    return load_embedder(BUNDLED_MODEL)


def test_no_wrong_match_reaches_the_threshold(embedder: Embedder) -> None:
    """With the FAQ playing vetted entries, every match at or above the threshold is a right one."""
    embedded = Variants.embed(embedder, faq_entries())
    scored = score_dev_set(embedder, embedded) + score_held_out(embedded)
    wrong = [(s.lang, round(s.score, 3), s.q) for s in scored if not s.right and s.score >= THRESHOLDS[s.lang]]
    assert wrong == []
    assert any(s.right and s.score >= THRESHOLDS[s.lang] for s in scored)  # not so high that nothing matches


def test_a_new_entry_answers_its_paraphrase_and_no_dev_question(embedder: Embedder) -> None:
    """After one /faq add, its paraphrase gets it; none of the 163 dev questions does."""
    faq = VettedFaq(embedder)
    faq.load([STAFF_ENTRY])
    assert faq.match("does objecting to the AI training delete my instagram account", "en") is not None
    rows = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    for lang in ("en", "fr", "de"):  # one batch per language: the same cosine as faq.match, without 163 model calls
        mine = [row["q"] for row in rows if row["lang"] == lang]
        best = [faq.best_of(vector, lang) for vector in embedder.embed(mine)]
        assert [q for q, found in zip(mine, best, strict=True) if found and found.score >= THRESHOLDS[lang]] == []

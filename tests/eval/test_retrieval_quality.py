"""The dev set gate: recall@5 of at least 0.90 in every language, and every off-topic prompt refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.assistant import Assistant
from bot.quality.evaluation import EvalResult, evaluate, load_questions

QUESTIONS = Path(__file__).with_name("questions.jsonl")


@pytest.fixture(scope="module")
def result(assistant: Assistant) -> EvalResult:
    """The dev set evaluated once for this module."""
    return evaluate(assistant, load_questions(QUESTIONS), k=5)


def test_dev_set_is_big_enough() -> None:
    """At least 30 questions per language and 8 prompts that must be refused."""
    questions = load_questions(QUESTIONS)
    for lang in ("en", "fr", "de"):
        assert sum(1 for q in questions if q["lang"] == lang and q["expect"]) >= 30
    assert sum(1 for q in questions if not q["expect"]) >= 8


@pytest.mark.parametrize("lang", ["en", "fr", "de"])
def test_recall_at_5_is_at_least_090(result: EvalResult, lang: str) -> None:
    """Nine questions in ten find an expected source among the first five."""
    misses = "\n".join(result.scores[lang].misses)
    assert result.recall(lang) >= 0.90, f"{lang} recall@5 {result.recall(lang):.3f}; misses:\n{misses}"


def test_every_off_topic_prompt_is_refused(result: EvalResult) -> None:
    """No weather, poem or injection prompt gets an answer."""
    answered = [row["q"] for row, q in zip(result.rows, load_questions(QUESTIONS), strict=True)
                if not q["expect"] and row["in_scope"]]
    assert answered == []


def test_in_scope_questions_are_answered(result: EvalResult) -> None:
    """Almost no real question is refused (a refusal would hide a good answer)."""
    refused = sum(s.refused_in_scope for s in result.scores.values())
    asked = sum(s.questions for s in result.scores.values())
    assert refused <= asked * 0.03

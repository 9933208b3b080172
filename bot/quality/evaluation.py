"""`legalbot eval`: retrieval recall, MRR and refusals on a JSONL question set."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core.assistant import Assistant
from bot.core.scope import in_scope
from bot.core.types import LANGS, base_id
from bot.errors import LegalbotError


def is_hit(source_id: str, expect: list[str]) -> bool:
    """A retrieved id (fragment removed) equals an expected id, or starts with an expected prefix ending in '/'."""
    plain = base_id(source_id)
    return any(plain == e or (e.endswith("/") and plain.startswith(e)) for e in expect)


def load_questions(path: Path) -> list[dict[str, Any]]:
    """Questions from a JSONL file; a malformed line is reported with its number."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            rows.append({"q": str(row["q"]), "lang": row.get("lang"), "expect": list(row.get("expect", []))})
        except (ValueError, KeyError, TypeError) as exc:
            raise LegalbotError(f"{path}:{number}: not a question line ({exc}).") from exc
    return rows


@dataclass
class LangScores:
    """Running sums for one language."""

    questions: int = 0
    hits1: int = 0
    hits_k: int = 0
    rr: float = 0.0
    refused_in_scope: int = 0
    off_topic: int = 0
    off_topic_refused: int = 0
    misses: list[str] = field(default_factory=list)


@dataclass
class EvalResult:
    """Per-language scores and one output row per question."""

    k: int
    scores: dict[str, LangScores]
    rows: list[dict[str, Any]]

    def recall(self, lang: str) -> float:
        """recall@k: share of in-scope questions with a hit in the top k."""
        s = self.scores[lang]
        return s.hits_k / s.questions if s.questions else 0.0

    def refusal_rate(self) -> float:
        """Share of off-topic prompts that were refused (must be 1.0)."""
        total = sum(s.off_topic for s in self.scores.values())
        return sum(s.off_topic_refused for s in self.scores.values()) / total if total else 1.0

    def table(self) -> str:
        """The figures as a small text table."""
        lines = [f"{'lang':<5}{'n':>5}{'recall@1':>10}{f'recall@{self.k}':>10}{'MRR':>8}{'refused':>9}"]
        for lang, s in self.scores.items():
            if s.questions or s.off_topic:
                r1 = s.hits1 / s.questions if s.questions else 0.0
                mrr = s.rr / s.questions if s.questions else 0.0
                lines.append(
                    f"{lang:<5}{s.questions:>5}{r1:>10.3f}{self.recall(lang):>10.3f}{mrr:>8.3f}{s.refused_in_scope:>9}"
                )
        off = sum(s.off_topic for s in self.scores.values())
        lines.append(f"off-topic/injection refused: {self.refusal_rate():.3f} ({off} prompts)")
        return "\n".join(lines)


def evaluate(assistant: Assistant, questions: list[dict[str, Any]], k: int = 5) -> EvalResult:
    """Run every question through retrieval and the scope check (one model load for the whole set)."""
    scores = {lang: LangScores() for lang in LANGS}
    rows = []
    for question in questions:
        lang = assistant.language_of(question["q"], question["lang"])
        retrieval = assistant.retrieve(question["q"], lang, k=k)
        answered = in_scope(retrieval, assistant.thresholds)
        ranked = [p.source_id for p in retrieval.passages]
        rows.append({"q": question["q"], "lang": lang, "ranked": ranked, "in_scope": answered})
        s = scores.setdefault(lang, LangScores())
        if not question["expect"]:
            s.off_topic += 1
            s.off_topic_refused += not answered
            continue
        s.questions += 1
        s.refused_in_scope += not answered
        ranks = [i for i, sid in enumerate(ranked) if is_hit(sid, question["expect"])]
        if ranks:
            s.hits1 += ranks[0] == 0
            s.hits_k += ranks[0] < k
            s.rr += 1.0 / (ranks[0] + 1)
        else:
            s.misses.append(question["q"])
    return EvalResult(k, scores, rows)


def write_rows(rows: list[dict[str, Any]], out: Path) -> None:
    """One JSON line per question: q, lang, ranked ids, in_scope."""
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")

"""`legalbot eval`: retrieval recall, MRR and refusals on a JSONL question set."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core.assistant import Assistant
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

    questions: int = 0  # answerable questions (non-empty expect)
    hits1: int = 0
    hits_k: int = 0
    rr: float = 0.0
    refused_in_scope: int = 0
    off_topic: int = 0  # must-refuse prompts (empty expect)
    off_topic_refused: int = 0
    answered: int = 0  # every question the bot answered (faq or law), whatever its expect
    lead_hits: int = 0  # answered answerable questions whose lead is an expected source
    quote_ok: int = 0  # answered answerable questions whose quote is expected, or that quote nothing
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        """Share of answered questions (answerable or not) whose lead is an expected source."""
        return self.lead_hits / self.answered if self.answered else 1.0

    @property
    def quote_precision(self) -> float:
        """Share of answered answerable questions whose quote is expected or absent."""
        answered_in_scope = self.questions - self.refused_in_scope
        return self.quote_ok / answered_in_scope if answered_in_scope else 1.0


@dataclass
class EvalResult:
    """Per-language scores and one output row per question."""

    k: int
    scores: dict[str, LangScores]
    rows: list[dict[str, Any]]

    def recall(self, lang: str) -> float:
        """recall@k: share of in-scope questions with a hit in the top k of what the user is shown."""
        s = self.scores[lang]
        return s.hits_k / s.questions if s.questions else 0.0

    def refusal_rate(self) -> float:
        """Share of must-refuse prompts that were not answered (must be 1.0)."""
        total = sum(s.off_topic for s in self.scores.values())
        return sum(s.off_topic_refused for s in self.scores.values()) / total if total else 1.0

    def table(self) -> str:
        """The figures as a small text table."""
        head = f"{'lang':<5}{'n':>5}{'recall@1':>10}{f'recall@{self.k}':>10}{'MRR':>8}"
        lines = [head + f"{'answered':>10}{'refused':>9}{'precision':>11}{'quote prec':>12}{'must-refuse ok':>16}"]
        for lang, s in self.scores.items():
            if s.questions or s.off_topic:
                r1 = s.hits1 / s.questions if s.questions else 0.0
                mrr = s.rr / s.questions if s.questions else 0.0
                refused = s.questions + s.off_topic - s.answered
                lines.append(
                    f"{lang:<5}{s.questions:>5}{r1:>10.3f}{self.recall(lang):>10.3f}{mrr:>8.3f}{s.answered:>10}"
                    f"{refused:>9}{s.precision:>11.3f}{s.quote_precision:>12.3f}"
                    f"{f'{s.off_topic_refused}/{s.off_topic}':>16}"
                )
        off = sum(s.off_topic for s in self.scores.values())
        lines.append(f"must-refuse prompts refused: {self.refusal_rate():.3f} ({off} prompts)")
        return "\n".join(lines)


def evaluate(assistant: Assistant, questions: list[dict[str, Any]], k: int = 5) -> EvalResult:
    """Ask every question as a user would; recall is measured over what the answer shows, in that order."""
    scores = {lang: LangScores() for lang in LANGS}
    rows = []
    for question in questions:
        lang = assistant.language_of(question["q"], question["lang"])
        answer = assistant.ask(question["q"], lang)
        answered = answer.in_scope
        # Lead, quote and citations first (what a person sees), then the rest of the retrieval ranking.
        shown = [answer.lead_id] if answer.lead_id else []
        shown += [answer.quote.id] if answer.quote else []
        shown += [c.id for c in answer.citations] + [p.source_id for p in answer.passages]
        ranked = list(dict.fromkeys(base_id(sid) for sid in shown))
        quote = {"id": answer.quote.id, "label": answer.quote.label, "url": answer.quote.url} if answer.quote else None
        rows.append({"q": question["q"], "lang": lang, "ranked": ranked, "in_scope": answered,
                     "answer_kind": answer.answer_kind, "lead": answer.lead_id, "quote": quote})
        s = scores.setdefault(lang, LangScores())
        s.answered += answered
        if not question["expect"]:
            s.off_topic += 1
            s.off_topic_refused += not answered
            continue
        s.questions += 1
        s.refused_in_scope += not answered
        if answered:
            s.lead_hits += is_hit(answer.lead_id or "", question["expect"])
            s.quote_ok += answer.quote is None or is_hit(answer.quote.id, question["expect"])
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

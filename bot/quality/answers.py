"""`legalbot eval --composer X`: citation validity and faithfulness of the answers a composer writes.

Citation validity: the share of answers whose every citation (and quote) names a passage retrieval returned, and
whose every `[n]` marker names one of the answer's citations. It must be 1.0: the validator guarantees it, this checks.

Faithfulness (lexical): each sentence of an answer is reduced to its content words (folded, stemmed, stop words
removed: the BM25 tokenizer). It is supported when at least SUPPORT of those words occur in the passages it cites:
the passages of its own `[n]` markers, or, for a sentence without markers, every passage the answer cites. Sentences
of fewer than MIN_WORDS content words are not scored. Paraphrase with other words, and a passage in another language
than the answer, count as unsupported: the score is a floor, not a verdict.
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tqdm import tqdm

from bot.core.assistant import COMPOSE_K, Assistant
from bot.core.compose import Composer
from bot.core.llm.bench import percentiles
from bot.core.llm.providers import make_composer
from bot.core.llm.validate import MARKER, marker_numbers
from bot.core.retrieval import Retrieval
from bot.core.textproc import tokenize
from bot.core.types import Answer, Passage, base_id
from bot.settings import Settings

SUPPORT = 0.5
MIN_WORDS = 3
_TRAILING_MARKERS = re.compile(r"([.!?…])((?:\s*\[\d{1,3}(?:\s*,\s*\d{1,3})*\])+)")
_SENTENCE_END = re.compile(r"(?<=[.!?…»])\s+")


@dataclass
class AnswerScores:
    """Running sums over the in-scope questions a composer answered."""

    composer: str
    answered: int = 0
    valid: int = 0
    generated: int = 0  # answers the LLM wrote (mode llm:*), the rest are fallbacks
    fallbacks: Counter[str] = field(default_factory=Counter)
    sentences: Counter[str] = field(default_factory=Counter)  # "generated" / "all" -> scored sentences
    supported: Counter[str] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)

    @property
    def citation_validity(self) -> float:
        """Share of answers citing only retrieved passages (must be 1.0)."""
        return self.valid / self.answered if self.answered else 1.0

    def faithfulness(self, which: str = "generated") -> float:
        """Share of scored sentences supported by their cited passages, over generated or all answers."""
        return self.supported[which] / self.sentences[which] if self.sentences[which] else 0.0

    def table(self) -> str:
        """The figures as a few lines under the retrieval table."""
        p50 = percentiles(self.seconds)[0] if self.seconds else 0.0
        reasons = ", ".join(f"{reason} {n}" for reason, n in self.fallbacks.most_common()) or "none"
        return "\n".join([
            f"answers by {self.composer}: {self.answered} in-scope questions, {self.generated} generated, "
            f"fallbacks: {reasons}; p50 {p50:.0f} ms",
            f"citation validity: {self.citation_validity:.3f} (must be 1.000)",
            f"faithfulness, generated answers: {self._share('generated')}",
            f"faithfulness, all answers shown: {self._share('all')}",
        ])

    def _share(self, which: str) -> str:
        """'0.812 (13/16 sentences)', or n/a when no sentence was scored."""
        if not self.sentences[which]:
            return "n/a (no sentence scored)"
        return f"{self.faithfulness(which):.3f} ({self.supported[which]}/{self.sentences[which]} sentences)"


def evaluate_answers(assistant: Assistant, questions: list[dict[str, Any]], composer: Composer) -> AnswerScores:
    """Compose an answer for every in-scope question and score it against the retrieval it was given."""
    scores = AnswerScores(composer.name)
    for question in tqdm(questions, desc=f"answers ({composer.name})", file=sys.stderr, disable=None):
        retrieval = assistant.retrieve(question["q"], question["lang"], k=COMPOSE_K)
        if not question["expect"] or retrieval.decision is None or not retrieval.decision.answered:
            continue
        started = time.perf_counter()
        answer = composer.compose(retrieval)
        scores.seconds.append(time.perf_counter() - started)
        scores.answered += 1
        scores.valid += citations_valid(answer, retrieval)
        generated = answer.mode.startswith("llm:")
        scores.generated += generated
        if answer.mode.startswith("extractive-fallback:"):
            scores.fallbacks[answer.mode.split(":", 1)[1]] += 1
        supported, scored = sentence_support(answer, retrieval)
        for which in ("generated", "all") if generated else ("all",):
            scores.supported[which] += supported
            scores.sentences[which] += scored
    return scores


def citations_valid(answer: Answer, retrieval: Retrieval) -> bool:
    """Every citation names a retrieved source; every marker of a generated answer names a citation."""
    retrieved = {base_id(p.source_id) for p in retrieved_passages(retrieval)}
    cited = [*answer.citations, *([answer.quote] if answer.quote else [])]
    if not answer.citations or any(base_id(c.id) not in retrieved for c in cited):
        return False
    if answer.mode.startswith("llm:"):
        return all(1 <= n <= len(answer.citations) for n in marker_numbers(answer.text))
    return True


def sentence_support(answer: Answer, retrieval: Retrieval) -> tuple[int, int]:
    """(supported, scored) sentences of one answer, by lexical overlap with the passages they cite."""
    sources = [_passages_of(base_id(c.id), retrieval) for c in answer.citations]
    everything = [p for group in sources for p in group]
    supported = scored = 0
    # "... form. [1] Then ..." -> "... form [1]. Then ...": a marker after the full stop belongs to its sentence.
    for sentence in _SENTENCE_END.split(_TRAILING_MARKERS.sub(r"\2\1", answer.text)):
        numbers = [n for n in marker_numbers(sentence) if 1 <= n <= len(sources)]
        cited = [p for n in numbers for p in sources[n - 1]] or everything
        words = set(tokenize(MARKER.sub(" ", sentence), answer.lang))
        if len(words) < MIN_WORDS:
            continue
        vocabulary = {w for p in cited for w in tokenize(f"{p.label} {p.title} {p.text}", p.lang)}
        scored += 1
        supported += len(words & vocabulary) >= SUPPORT * len(words)
    return supported, scored


def _passages_of(source: str, retrieval: Retrieval) -> list[Passage]:
    """Every retrieved passage of a source (a named article brings all its paragraphs)."""
    return [p for p in retrieved_passages(retrieval) if base_id(p.source_id) == source]


def retrieved_passages(retrieval: Retrieval) -> tuple[Passage, ...]:
    """Everything retrieval returned: the ranked passages, the named provisions, the best official text."""
    return (*retrieval.passages, *retrieval.named, *([retrieval.official] if retrieval.official else []))


def run_answer_eval(assistant: Assistant, questions: list[dict[str, Any]], settings: Settings, composer: str) -> int:
    """Print the answer scores of the named composer; exit status 1 when a citation was not retrieved."""
    built = make_composer(settings.model_copy(update={"composer": composer}))
    scores = evaluate_answers(assistant, questions, built)
    print(scores.table())
    return 0 if scores.citation_validity == 1.0 else 1

"""Answering is a decision: a vetted entry of ours, the law itself, an honest "I don't know", or a refusal."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from bot.core.intents import IntentMatch, IntentScores
from bot.core.retrieval import Retrieval
from bot.core.scope import has_anchor, is_injection
from bot.core.types import base_id
from bot.settings import REPO_ROOT

THRESHOLDS_FILE = REPO_ROOT / "knowledge" / "answerability.yaml"
FAQ, LAW, REFUSED, UNKNOWN = "faq", "law", "refused", "unknown"
TOPICS = 3  # closest covered topics offered when the bot cannot answer


@dataclass(frozen=True)
class Gate:
    """A match must reach `score` and beat the best off-topic example by `margin`."""

    score: float
    margin: float

    def passes(self, score: float, negative: float) -> bool:
        """True when the match is both strong and clearly ours."""
        return score >= self.score and score - negative >= self.margin


@dataclass(frozen=True)
class Thresholds:
    """Per-language gates, calibrated on the dev set by `legalbot calibrate` (never on the held-out set)."""

    faq: dict[str, Gate]
    law: dict[str, Gate]
    keyword: dict[str, float]  # BM25 score per query token of the best official passage, for questions of our topic

    @classmethod
    def load(cls, path: Path = THRESHOLDS_FILE) -> Thresholds:
        """Read knowledge/answerability.yaml."""
        return _load(path)


@lru_cache(maxsize=4)
def _load(path: Path) -> Thresholds:
    """Parsed once per process."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    gates = {kind: {lang: Gate(float(v["score"]), float(v["margin"])) for lang, v in data[kind].items()}
             for kind in ("faq", "law")}
    return Thresholds(gates["faq"], gates["law"], {lang: float(v) for lang, v in data["keyword"].items()})


@dataclass(frozen=True)
class Decision:
    """What kind of answer to give, which source leads it, and the evidence for the choice."""

    kind: str  # faq | law | refused | unknown
    lead: str | None = None  # citation id of the entry or provision the answer starts from
    score: float = 0.0  # similarity of the deciding match
    negative: float = 0.0  # best similarity to a "not our job" example
    topics: tuple[str, ...] = field(default=())  # closest entries we do cover, offered when not answering

    @property
    def answered(self) -> bool:
        """True for an answer from our entries or from the law."""
        return self.kind in (FAQ, LAW)


def decide(retrieval: Retrieval, intents: IntentScores, thresholds: Thresholds) -> Decision:
    """Choose the kind of answer; a keyword such as "Meta" is never enough on its own."""
    lang, query = retrieval.lang, retrieval.query
    negative = intents.negative.score if intents.negative else 0.0
    topics = tuple(m.target for m in intents.positives[:TOPICS])
    if not retrieval.passages or is_injection(query):
        return Decision(REFUSED, negative=negative, topics=topics)
    if retrieval.named:  # "What does Art. 21 say?": the user named the provision
        return Decision(LAW, retrieval.named[0].source_id, 1.0, negative, topics)
    best = intents.best
    # Whichever matches the question better, our entries or a provision, is tried first, each against its own gate:
    # "is anonymous data covered?" matches recital 26 far better than any FAQ of ours about Meta.
    tries = [(FAQ, intents.positives, thresholds.faq[lang]), (LAW, intents.law, thresholds.law[lang])]
    if intents.law and (best is None or intents.law[0].score > best.score):
        tries.reverse()
    for kind, matches, gate in tries:
        lead = _lead(matches, gate, negative, retrieval)
        if lead is not None:
            return Decision(kind, lead.target, lead.score, negative, topics)
    on_topic = has_anchor(query, lang)
    official = retrieval.official
    lexical = on_topic and official is not None and retrieval.official_keyword >= thresholds.keyword[lang]
    # Off-topic examples still veto a lexical match: "hacked account" shares words with the GDPR's security articles.
    if lexical and official is not None and negative <= (best.score if best else 0.0):
        return Decision(LAW, official.source_id, retrieval.official_keyword, negative, topics)
    kind = UNKNOWN if on_topic and (best is None or best.score >= negative) else REFUSED
    return Decision(kind, negative=negative, score=best.score if best else 0.0, topics=topics)


def _lead(matches: tuple[IntentMatch, ...], gate: Gate, negative: float, retrieval: Retrieval) -> IntentMatch | None:
    """Of the matches that pass the gate on their own, the one the fused ranking puts first (else the best)."""
    passing: dict[str, IntentMatch] = {}
    for match in matches:  # best first: a guide is represented by its best-matching section
        if gate.passes(match.score, negative):
            passing.setdefault(base_id(match.target), match)
    for passage in retrieval.passages:
        if base_id(passage.source_id) in passing:
            return passing[base_id(passage.source_id)]
    return max(passing.values(), key=lambda m: m.score, default=None)

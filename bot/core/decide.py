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
# The law leads only when it matches clearly better than our best entry: the multilingual model also rewards
# sentence shape ("does the GDPR apply to…"), and our entries carry the context the bare law lacks.
LAW_EDGE = 0.01
# Among entries that pass, the fused ranking (BM25 and dense too) may choose, but only within this distance of the
# best match: "how do i object" must not go to the entry on whether an objection needs a reason. 0.01, not 0.02: on
# the 537-row dev set, with the gates fixed, 0.02 -> 0.01 answered 8 fewer questions of which 4 had been wrong.
LEAD_SPREAD = 0.01


@dataclass(frozen=True)
class Gate:
    """A match must reach `score`, beat the best off-topic example by `margin`, and be among the first `agree`
    sources of the dense + BM25 ranking (a second opinion from the passages' own words; 99 waives it)."""

    score: float
    margin: float
    agree: int = 99

    def passes(self, score: float, negative: float) -> bool:
        """True when the match is both strong and clearly ours."""
        return score >= self.score and score - negative >= self.margin

    def agrees(self, source: str, retrieval: Retrieval) -> bool:
        """True when the dense + BM25 ranking also puts the source near the top."""
        ranked = retrieval.independent[: self.agree]
        return self.agree >= len(retrieval.independent) or base_id(source) in ranked


@dataclass(frozen=True)
class Thresholds:
    """Per-language gates, calibrated on the dev set by `legalbot calibrate` (never on the held-out set)."""

    faq: dict[str, Gate]
    law: dict[str, Gate]

    @classmethod
    def load(cls, path: Path = THRESHOLDS_FILE) -> Thresholds:
        """Read knowledge/answerability.yaml."""
        return _load(path)


@lru_cache(maxsize=4)
def _load(path: Path) -> Thresholds:
    """Parsed once per process."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    gates = {kind: {lang: Gate(float(v["score"]), float(v["margin"]), int(v.get("agree", 99)))
                    for lang, v in data[kind].items()}
             for kind in ("faq", "law")}
    return Thresholds(gates["faq"], gates["law"])


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
    if intents.law and (best is None or intents.law[0].score > best.score + LAW_EDGE):
        tries.reverse()
    for kind, matches, gate in tries:
        lead = _lead(matches, gate, negative, retrieval)
        if lead is not None:
            return Decision(kind, lead.target, lead.score, negative, topics)
    # Nothing matches well enough. Keyword overlap with an official passage alone was also tried as a way in (a BM25
    # floor per language): calibration found no floor that did not answer off-topic or wrong questions, so it is gone.
    on_topic = has_anchor(query, lang)
    kind = UNKNOWN if on_topic and (best is None or best.score >= negative) else REFUSED
    return Decision(kind, negative=negative, score=best.score if best else 0.0, topics=topics)


def _lead(matches: tuple[IntentMatch, ...], gate: Gate, negative: float, retrieval: Retrieval) -> IntentMatch | None:
    """The fused ranking's first source among the matches, if its match is close to the best one, passes the gate
    and is among the first `agree` of the dense + BM25 ranking; failing that, a close passing match that the dense +
    BM25 ranking puts first (the intent model's close matches are often look-alike questions of a neighbouring
    entry, and the passages' own words then settle which one is meant)."""
    if not matches:
        return None
    own: dict[str, IntentMatch] = {}
    for match in matches:  # best first: a guide is represented by its best-matching section
        own.setdefault(base_id(match.target), match)

    def good(source: str) -> bool:
        match = own.get(source)
        close = match is not None and match.score >= matches[0].score - LEAD_SPREAD
        return close and gate.passes(own[source].score, negative)

    first = next((s for s in (base_id(p.source_id) for p in retrieval.passages) if s in own), "")
    if good(first) and gate.agrees(first, retrieval):
        return own[first]
    lexical = retrieval.independent[0] if retrieval.independent else ""
    return own[lexical] if good(lexical) else None

"""A chain of evidence: the lead decides which official text is quoted and cited under it, not a second ranking."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.index import KnowledgeIndex
from bot.core.intents import IntentScores
from bot.core.retrieval import OFFICIAL_KINDS, Retrieval
from bot.core.textproc import tokenize
from bot.core.types import Passage, base_id

RRF_K = 5  # few candidates: the top ranks decide
MAX_CITED = 5
SEE_ALSO = 3  # further entries of ours shown under an answer
OURS = ("faq", "guide", "rad", "summary", "news")
OFFICIAL_SOURCES = ("gdpr", "cjeu")  # citation id prefixes of the official texts we hold in full


@dataclass(frozen=True)
class Evidence:
    """The passage an answer starts from, the official passage quoted under it, and the further sources."""

    lead: Passage
    quote: Passage | None
    cited: tuple[Passage, ...]  # one passage per source, in the order shown after lead and quote


def best_match(candidates: list[Passage], retrieval: Retrieval, index: KnowledgeIndex) -> list[Passage]:
    """Candidates ordered by how well they match the question (dense and BM25 ranks fused), document order on ties."""
    if len(candidates) < 2:
        return candidates
    cosine = {p.key: p.score for p in retrieval.pool}
    keyword = index.keyword_scores(tokenize(retrieval.query, retrieval.lang), retrieval.lang)
    score = dict.fromkeys((p.key for p in candidates), 0.0)
    for table in (cosine, keyword):
        ranked = sorted((p for p in candidates if p.key in table), key=lambda p: -table[p.key])
        for rank, passage in enumerate(ranked):
            score[passage.key] += 1.0 / (RRF_K + rank + 1)
    order = {p.key: i for i, p in enumerate(candidates)}
    return sorted(candidates, key=lambda p: (-score[p.key], order[p.key]))


def passages_of(index: KnowledgeIndex, ref: str, lang: str) -> list[Passage]:
    """Every passage of a cited source in the user's language (English where we have no translation)."""
    return index.lookup(ref, lang) if "#" in ref else [p for p in index.lookup(ref, lang) if p.kind != "summary"]


def for_entry(
    index: KnowledgeIndex, retrieval: Retrieval, intents: IntentScores, lead_id: str, floor: float
) -> Evidence:
    """Our entry leads; its own `refs` supply the quote and the citations.

    A provision is quoted only when the question itself matches it (its title or plain-language questions) at least
    as well as a question the bot would answer from the law (`floor`, the law gate): an entry about WhatsApp rests on
    Art. 21, but "and WhatsApp??" is not a question about Art. 21, and no quote is better than an unrelated one.
    """
    lang = retrieval.lang
    lead = (index.lookup(lead_id, lang) or [retrieval.passages[0]])[0]
    matched = {base_id(m.target): m.score for m in intents.law if m.score >= floor}
    official = [ref for ref in lead.refs if ref.split("/")[0] in OFFICIAL_SOURCES]
    if not lead.refs:  # nothing curated: the provisions the question matches best may be quoted
        official = [ref for ref in matched if ref.split("/")[0] in OFFICIAL_SOURCES]
    chosen = sorted((ref for ref in official if ref in matched), key=lambda ref: -matched[ref])[:1]
    candidates = [p for ref in chosen for p in passages_of(index, ref, lang) if p.kind in OFFICIAL_KINDS]
    quote = best_match(candidates, retrieval, index)[0] if candidates else None
    cited = [index.lookup(ref, lang)[0] for ref in lead.refs if index.lookup(ref, lang)]
    # The next entries of ours that retrieval found ("see also") come before the lead's remaining references.
    ours = [p for p in retrieval.passages if p.kind in OURS][:SEE_ALSO]
    return Evidence(lead, quote, _distinct([*ours, *cited], exclude={lead, quote}))


def for_law(index: KnowledgeIndex, retrieval: Retrieval, intents: IntentScores, lead_id: str) -> Evidence:
    """The law leads: the paragraph of the chosen provision that best fits the question, then other GDPR hits.

    Judgments are cited only when the question matched the case itself: their opening paragraphs recite GDPR
    recitals and rank well for any GDPR question, but they are not what the user asked about.
    """
    lang = retrieval.lang
    candidates = passages_of(index, lead_id, lang) or [retrieval.official or retrieval.passages[0]]
    lead = best_match(candidates, retrieval, index)[0]
    cases = {base_id(m.target) for m in intents.law[:3] if m.kind == "summary"}
    others = [p for p in (retrieval.official, *retrieval.passages)
              if p is not None and (p.kind == "law" or (p.kind == "case" and base_id(p.source_id) in cases))]
    return Evidence(lead, None, _distinct([lead, *others], exclude={lead}))


def _distinct(passages: list[Passage | None], exclude: set[Passage | None]) -> tuple[Passage, ...]:
    """One passage per source, skipping the ones shown above, capped so the user is not buried in links."""
    seen = {base_id(p.source_id) for p in exclude if p is not None}
    out = []
    for passage in passages:
        if passage is None or passage in exclude or base_id(passage.source_id) in seen:
            continue
        seen.add(base_id(passage.source_id))
        out.append(passage)
    return tuple(out[: MAX_CITED - sum(p is not None for p in exclude)])

"""Hybrid retrieval: dense (Chroma) + keyword (BM25) + explicit references, fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.embeddings import Embedder
from bot.core.index import KnowledgeIndex
from bot.core.intents import IntentScores
from bot.core.references import find_references
from bot.core.textproc import tokenize
from bot.core.types import Passage, base_id

if TYPE_CHECKING:  # decide and evidence read retrieval: import their types for annotations only
    from bot.core.decide import Decision
    from bot.core.evidence import Evidence

RRF_K = 20  # ranks matter, raw scores of different scales do not; 20 (not the usual 60) favours the top ranks
DEPTH = 40  # candidates taken from each retriever before fusion
OFFICIAL_DEPTH = 20  # candidates per retriever when looking for the official text to quote
# One Chroma query serves both rankings (a second, kind-filtered query cost more than everything else together);
# official texts are most of the index, so its best 20 sit well inside the nearest 120 passages of a language.
DENSE_POOL = 120
OFFICIAL_KINDS = ("law", "case")
INTENT_DEPTH = 10  # entries and provisions taken from the question-to-question ranking
INTENT_WEIGHT = 1.5  # weight of that ranking in the fusion (the multilingual model is the best judge of FR and DE)
INDEPENDENT_DEPTH = 10
INTENT_SPREAD = 0.02  # only matches this close to the best one vote: a flat list of 0.90s says nothing


@dataclass(frozen=True)
class Retrieval:
    """Ranked passages for one question, plus the signals the scope check reads."""

    query: str
    lang: str
    passages: tuple[Passage, ...]  # one per source, best first
    refs: tuple[str, ...]  # ids the question names explicitly
    named: tuple[Passage, ...] = ()  # every passage of the provisions the question names, in document order
    official: Passage | None = None  # best-ranked GDPR or judgment passage, even below the top k, for the quote
    pool: tuple[Passage, ...] = ()  # the nearest passages of the question's language, with their cosine similarity
    independent: tuple[str, ...] = ()  # sources ranked by dense and BM25 alone (no intent ranking), best first
    decision: Decision | None = None  # set by the assistant: what kind of answer, led by which source
    evidence: Evidence | None = None  # set by the assistant: lead, quote and further sources for the composer


class Retriever:
    """Turns a question into ranked, deduplicated passages."""

    def __init__(self, index: KnowledgeIndex, embedder: Embedder, foreign_dense_weight: float = 1.0) -> None:
        self.index = index
        self.embedder = embedder
        # The bundled model only knows English: its French and German matches are weaker evidence than BM25's.
        self.foreign_dense_weight = foreign_dense_weight

    def search(
        self,
        query: str,
        lang: str,
        k: int = 5,
        mode: str = "hybrid",
        intents: IntentScores | Callable[[], IntentScores] | None = None,
    ) -> Retrieval:
        """Best k sources for the question; mode 'bm25' or 'dense' runs one retriever alone (for the bench).

        `intents` (question-to-question matches from the multilingual model) is a third ranking in the fusion. It may
        be a callable, called only once dense and BM25 are done, so that the model can run beside them.
        """
        tokens = tokenize(query, lang)
        pool = self.index.dense(self.embedder.embed([query])[0], lang, DENSE_POOL) if mode != "bm25" else []
        dense = pool[:DEPTH]
        keyword = self.index.keyword(tokens, lang, DEPTH) if mode != "dense" else []
        refs = tuple(find_references(query)) if mode == "hybrid" else ()
        named = tuple(passage for ref in refs for passage in self.index.lookup(ref, lang))
        official = self._best_official(pool, tokens, lang) if mode == "hybrid" else None
        rankings = [(self._dense_weight(lang), dense), (1.0, keyword)]
        # What the passages' own words say, before the question-to-question ranking joins: a second opinion the
        # answer decision asks for (an entry that only the intent model likes is often a look-alike).
        lexical, _ = _fuse(tuple(rankings))
        if intents is not None and mode == "hybrid":
            scores = intents() if callable(intents) else intents
            rankings.append((INTENT_WEIGHT, self._intent_ranking(scores, lang)))
        fused, best = _fuse(tuple(rankings))
        for rank, ref in enumerate(refs):
            for passage in self.index.lookup(ref, lang)[:3]:
                # A named article or case is what the user asked for: it outranks anything fused.
                _add(fused, best, passage, 1.0 / (rank + 1))
        ordered = sorted(best, key=lambda source: -fused[source])
        ranked_ids = ordered[:k]
        return Retrieval(
            query=query,
            lang=lang,
            passages=tuple(best[source].scored(round(fused[source], 5)) for source in ranked_ids),
            refs=refs,
            named=named,
            official=official,
            pool=tuple(pool),
            independent=tuple(sorted(lexical, key=lambda source: -lexical[source])[:INDEPENDENT_DEPTH]),
        )

    def _intent_ranking(self, intents: IntentScores, lang: str) -> list[Passage]:
        """Entries and provisions by how well their questions or titles match, in the question's language."""
        matches = sorted((*intents.positives[:INTENT_DEPTH], *intents.law[:INTENT_DEPTH]), key=lambda m: -m.score)
        ranked = []
        for match in matches[:INTENT_DEPTH]:
            if match.score < matches[0].score - INTENT_SPREAD:
                break
            passages = self.index.lookup(match.target, lang)
            if passages:
                ranked.append(passages[0].scored(match.score))
        return ranked

    def _best_official(self, pool: list[Passage], tokens: list[str], lang: str) -> Passage | None:
        """The best GDPR or judgment passage for the question, ranked among official texts only.

        Our plain-language texts name Meta and AI training and so outrank the law for most questions; the quote
        in an answer still has to come from the official text that matches best.
        """
        dense = [p for p in pool if p.kind in OFFICIAL_KINDS][:OFFICIAL_DEPTH]
        keyword = self.index.keyword(tokens, lang, OFFICIAL_DEPTH, kinds=OFFICIAL_KINDS)
        scores, best = _fuse(((self._dense_weight(lang), dense), (1.0, keyword)))
        return best[max(scores, key=scores.__getitem__)] if scores else None

    def _dense_weight(self, lang: str) -> float:
        """Weight of dense ranks in fusion: lower for languages the embedding model knows less well."""
        return 1.0 if lang == "en" else self.foreign_dense_weight


def _fuse(weighted: tuple[tuple[float, list[Passage]], ...]) -> tuple[dict[str, float], dict[str, Passage]]:
    """Reciprocal rank fusion of weighted rankings: a score per source and the passage that represents it."""
    fused: dict[str, float] = {}
    best: dict[str, Passage] = {}
    for weight, ranked in weighted:
        # Rank sources, not passages: a judgment with 150 paragraphs must not outvote a one-passage FAQ.
        for rank, passage in enumerate(best_per_source(ranked)):
            _add(fused, best, passage, weight / (RRF_K + rank + 1))
    return fused, best


def best_per_source(ranked: list[Passage]) -> list[Passage]:
    """The first (best) passage of each source, in rank order."""
    seen: dict[str, Passage] = {}
    for passage in ranked:
        seen.setdefault(base_id(passage.source_id), passage)
    return list(seen.values())


def _add(fused: dict[str, float], best: dict[str, Passage], passage: Passage, score: float) -> None:
    """Credit a passage's source; the source is represented by its highest-credited passage."""
    source = base_id(passage.source_id)
    fused[source] = fused.get(source, 0.0) + score
    if source not in best or score > best[source].score:
        best[source] = passage.scored(score)

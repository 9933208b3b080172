"""The assistant: question in, cited answer out; the one entry point every adapter uses."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Protocol

from bot.core import evidence
from bot.core.compose import Composer
from bot.core.decide import FAQ, Decision, Thresholds, decide
from bot.core.embeddings import Embedder, load_fast_embedder
from bot.core.i18n import normalise_lang, t
from bot.core.index import KnowledgeIndex, chroma_client
from bot.core.intents import IntentIndex, IntentScores, load_encoder, load_intents
from bot.core.llm.providers import make_composer  # light: each LLM library is imported only when chosen
from bot.core.retrieval import Retrieval, Retriever
from bot.core.textproc import detect_language
from bot.core.types import Answer, Citation
from bot.settings import Settings

log = logging.getLogger(__name__)
COMPOSE_K = 8  # the composer sees a few more passages than the five that eval scores
# The intent model is the slowest step of an answer and needs nothing that dense and BM25 compute, so it runs on a
# thread of its own beside them (its C engine and onnxruntime release the GIL). Two threads: one per core.
_INTENT_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="intents")


class VettedMatcher(Protocol):
    """Staff-approved answers (bot/support/vetted.py): one is given when it matches the question strongly."""

    def answer(self, question: str, lang: str) -> Answer | None:
        """The vetted answer with its citations, or None."""
        ...


@dataclass
class Assistant:
    """Retrieval, scope check and composer wired together."""

    settings: Settings
    index: KnowledgeIndex
    embedder: Embedder
    composer: Composer
    intents: IntentIndex | None = None  # question-to-question matches; None decides from retrieval alone
    gates: Thresholds = field(default_factory=Thresholds.load)
    vetted: VettedMatcher | None = None  # set by the support handlers; None answers from retrieval alone

    @classmethod
    def from_settings(cls, settings: Settings, composer: Composer | None = None) -> Assistant:
        """Load the model, the index and the composer named in the settings.

        With LEGALBOT_CHROMA_URL the passages, vectors and intents come from the Chroma server (a worker of many
        needs no index files; its data folder may hold the ONNX export only).
        """
        embedder = load_fast_embedder(settings.embedding_model, settings.embedding_max_tokens, settings.export_dir)
        index = KnowledgeIndex(settings.data_dir, embedder.name, settings.chroma_url)
        if index.empty:
            log.warning("The knowledge index in %s is empty: run `legalbot ingest`.", settings.data_dir)
        client = None if index.empty else chroma_client(settings.chroma_dir, settings.chroma_url)
        intents = None if client is None else load_intents(client, settings.intent_model)
        return cls(settings, index, embedder, composer or make_composer(settings), intents)

    @property
    def retriever(self) -> Retriever:
        """A retriever over this assistant's index."""
        return Retriever(self.index, self.embedder, foreign_dense_weight=self.settings.dense_weight_non_english)

    def language_of(self, question: str, lang: str | None = None) -> str:
        """The language to answer in: the one asked for, else the one detected."""
        return normalise_lang(lang) if lang else detect_language(question)

    def intent_scores(self, question: str, lang: str) -> IntentScores:
        """How the question matches our entries, the provisions' titles and the off-topic examples."""
        if self.intents is None or self.intents.empty:
            return IntentScores((), (), None)
        vector = load_encoder(self.intents.encoder_name).encode([question])[0]
        return self.intents.scores(vector, lang)

    def search(self, question: str, lang: str, k: int) -> tuple[Retrieval, IntentScores]:
        """The retrieval ranking and the intent scores, the intent model running while dense and BM25 rank."""
        pending = _INTENT_THREADS.submit(self.intent_scores, question, lang)
        retrieval = self.retriever.search(question, lang, k=k, intents=pending.result)
        return retrieval, pending.result()

    def retrieve(self, question: str, lang: str | None = None, k: int = 5) -> Retrieval:
        """Ranked sources for a question (what eval measures), with the decision taken on them."""
        retrieval, scores = self.search(question, self.language_of(question, lang), k)
        return replace(retrieval, decision=decide(retrieval, scores, self.gates))

    def ask(self, question: str, lang: str | None = None) -> Answer:
        """A cited answer, an honest "I don't know", a refusal, or a polite 'not ready' when there is no index yet."""
        language = self.language_of(question, lang)
        if self.index.empty:
            return Answer(t(language, "answer.index_empty"), (), language, in_scope=False, mode="unavailable")
        if self.vetted is not None:
            vetted = self.vetted.answer(question, language)
            if vetted is not None:
                return vetted
        retrieval, scores = self.search(question, language, COMPOSE_K)
        decision = decide(retrieval, scores, self.gates)
        if not decision.answered:
            return self._not_answered(retrieval, decision)
        return self._compose(retrieval, scores, decision)

    def answer_entry(self, target: str, lang: str) -> Answer | None:
        """The answer of one entry of ours (a topic button under "I can't answer that"), or None if it is gone."""
        found = self.index.lookup(target, normalise_lang(lang)) if not self.index.empty else []
        if not found or found[0].kind not in ("faq", "guide"):
            return None
        question = found[0].title
        retrieval, scores = self.search(question, found[0].lang, COMPOSE_K)
        return self._compose(retrieval, scores, Decision(FAQ, target, 1.0))

    def _compose(self, retrieval: Retrieval, scores: IntentScores, decision: Decision) -> Answer:
        """Gather the lead's chain of evidence and hand it to the composer."""
        retrieval = replace(retrieval, decision=decision)
        if decision.kind == FAQ:
            floor = self.gates.law[retrieval.lang].score
            chain = evidence.for_entry(self.index, retrieval, scores, decision.lead or "", floor)
        else:
            chain = evidence.for_law(self.index, retrieval, scores, decision.lead or "")
        rest = tuple(p for p in retrieval.passages if p.source_id != chain.lead.source_id)
        return self.composer.compose(replace(retrieval, evidence=chain, passages=(chain.lead, *rest)))

    def _not_answered(self, retrieval: Retrieval, decision: Decision) -> Answer:
        """Say so plainly, and offer the closest topics we do cover."""
        topics = []
        for target in decision.topics:
            found = self.index.lookup(target, retrieval.lang)
            if found:
                topics.append(Citation(target, found[0].title or found[0].label, found[0].url))
        text = t(retrieval.lang, "answer.unknown" if decision.kind == "unknown" else "answer.refusal")
        mode = "unknown" if decision.kind == "unknown" else "refusal"
        return Answer(text, (), retrieval.lang, in_scope=False, mode=mode, passages=retrieval.passages,
                      kind=decision.kind, topics=tuple(topics))

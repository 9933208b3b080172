"""The assistant: question in, cited answer out; the one entry point every adapter uses."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from bot.core.compose import Composer
from bot.core.embeddings import Embedder, load_fast_embedder
from bot.core.i18n import normalise_lang, t
from bot.core.index import KnowledgeIndex
from bot.core.llm.providers import make_composer  # light: each LLM library is imported only when chosen
from bot.core.retrieval import Retrieval, Retriever
from bot.core.scope import ScopeThresholds, in_scope
from bot.core.textproc import detect_language
from bot.core.types import Answer
from bot.settings import Settings

log = logging.getLogger(__name__)
COMPOSE_K = 8  # the composer sees a few more passages than the five that eval scores


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
    thresholds: ScopeThresholds = field(default_factory=ScopeThresholds)
    vetted: VettedMatcher | None = None  # set by the support handlers; None answers from retrieval alone

    @classmethod
    def from_settings(cls, settings: Settings, composer: Composer | None = None) -> Assistant:
        """Load the model, the index and the composer named in the settings."""
        embedder = load_fast_embedder(settings.embedding_model, settings.embedding_max_tokens, settings.export_dir)
        index = KnowledgeIndex(settings.data_dir, embedder.name)
        if index.empty:
            log.warning("The knowledge index in %s is empty: run `legalbot ingest`.", settings.data_dir)
        return cls(settings, index, embedder, composer or make_composer(settings))

    @property
    def retriever(self) -> Retriever:
        """A retriever over this assistant's index."""
        return Retriever(self.index, self.embedder, foreign_dense_weight=self.settings.dense_weight_non_english)

    def language_of(self, question: str, lang: str | None = None) -> str:
        """The language to answer in: the one asked for, else the one detected."""
        return normalise_lang(lang) if lang else detect_language(question)

    def retrieve(self, question: str, lang: str | None = None, k: int = 5) -> Retrieval:
        """Ranked sources for a question (what eval measures)."""
        return self.retriever.search(question, self.language_of(question, lang), k=k)

    def ask(self, question: str, lang: str | None = None) -> Answer:
        """A cited answer, a refusal, or a polite 'not ready' when there is no index yet."""
        language = self.language_of(question, lang)
        if self.index.empty:
            return Answer(t(language, "answer.index_empty"), (), language, in_scope=False, mode="unavailable")
        if self.vetted is not None:
            vetted = self.vetted.answer(question, language)
            if vetted is not None:
                return vetted
        retrieval = self.retriever.search(question, language, k=COMPOSE_K)
        if not in_scope(retrieval, self.thresholds):
            return Answer(
                t(language, "answer.refusal"), (), language, in_scope=False, mode="refusal", passages=retrieval.passages
            )
        return self.composer.compose(retrieval)

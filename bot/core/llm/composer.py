"""LLMComposer: a generated, cited answer when the model behaves, the extractive answer whenever it does not."""

from __future__ import annotations

import logging
from dataclasses import replace

from langchain_core.language_models import BaseChatModel

from bot.core.compose import Composer, ExtractiveComposer, suggest_flow
from bot.core.llm.breaker import Breaker
from bot.core.llm.chain import build_chain, chain_inputs
from bot.core.llm.prompt import AnswerPrompt
from bot.core.llm.validate import Grounded, Reason, check_answer, shingles
from bot.core.retrieval import Retrieval
from bot.core.types import Answer, Citation, Passage, base_id

log = logging.getLogger(__name__)
MAX_DOCUMENTS = 6  # the model reads the best six sources; more costs prompt time and dilutes attention
DOCUMENT_CHARS = 900  # per document: a paragraph or an FAQ answer, cut at a sentence


class LLMComposer:
    """Implements the Composer protocol over a LangChain chat model, with the extractive composer as fallback."""

    def __init__(self, provider: str, model: BaseChatModel, prompt: AnswerPrompt, *,
                 fallback: Composer | None = None, breaker: Breaker | None = None,
                 max_documents: int = MAX_DOCUMENTS, document_chars: int = DOCUMENT_CHARS) -> None:
        self.provider = provider
        self.name = f"llm:{provider}"
        self.prompt = prompt
        self.chain = build_chain(prompt, model)
        self.fallback = fallback or ExtractiveComposer()
        self.breaker = breaker or Breaker()
        self.max_documents = max_documents
        self.document_chars = document_chars
        self.prompt_shingles = shingles(*prompt.fixed_text)

    def compose(self, retrieval: Retrieval) -> Answer:
        """Generate, validate, and fall back to the extractive answer on any failure."""
        if not self.breaker.allow():
            return self._fall_back(retrieval, "circuit-open")
        documents = documents_for(retrieval, self.max_documents)
        inputs = chain_inputs(retrieval.query, retrieval.lang, documents, self.document_chars)
        try:
            raw = self.chain.invoke(inputs, config={"run_name": "legalbot-answer"})
        except Exception as exc:  # any failure of the provider means "answer without it", never an error
            self.breaker.record_failure()
            reason: Reason = "timeout" if is_timeout(exc) else "error"
            # Name the provider and the failure class only: exception texts can quote the request.
            log.warning("LLM provider %s failed (%s: %s); answering extractively",
                        self.provider, reason, type(exc).__name__)
            return self._fall_back(retrieval, reason)
        self.breaker.record_success()
        checked = check_answer(raw, documents, retrieval.lang, self.prompt_shingles)
        if not isinstance(checked, Grounded):
            log.info("LLM answer from %s rejected (%s, %d invalid markers); answering extractively",
                     self.provider, checked.reason, checked.dropped)
            return self._fall_back(retrieval, checked.reason)
        if checked.dropped:
            log.info("LLM answer from %s: %d markers naming no document removed", self.provider, checked.dropped)
        return Answer(
            text=checked.text,
            citations=tuple(Citation(p.source_id, p.label, p.url) for p in checked.cited),
            lang=retrieval.lang,
            in_scope=True,
            mode=self.name,
            passages=(*retrieval.passages, *(p for p in documents if p not in retrieval.passages)),
            suggest_flow=suggest_flow(retrieval.passages),
            topic=base_id(checked.cited[0].source_id),
            prompt_version=self.prompt.version,
        )

    def _fall_back(self, retrieval: Retrieval, reason: Reason) -> Answer:
        """The extractive answer, marked with why it was used."""
        answer = self.fallback.compose(retrieval)
        return replace(answer, mode=f"extractive-fallback:{reason}", prompt_version=self.prompt.version)


def documents_for(retrieval: Retrieval, limit: int) -> tuple[Passage, ...]:
    """The top passages, plus the best official text when retrieval found one beyond them (it grounds the law)."""
    documents = retrieval.passages[:limit]
    official = retrieval.official
    if official is not None and base_id(official.source_id) not in {base_id(p.source_id) for p in documents}:
        documents = (*documents, official)
    return documents


def is_timeout(exc: BaseException) -> bool:
    """True for any timeout in the exception chain (httpx, openai, our own deadline)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TimeoutError) or "Timeout" in type(seen).__name__:
            return True
        seen = seen.__cause__ or seen.__context__
    return False

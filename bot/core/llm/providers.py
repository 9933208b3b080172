"""The composer named in the settings, with each provider's library imported only when it is chosen."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from bot.core.compose import Composer, ExtractiveComposer
from bot.errors import LegalbotError
from bot.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from bot.core.llm.composer import LLMComposer

log = logging.getLogger(__name__)
COMPOSERS = ("extractive", "openai", "llamacpp")


def make_composer(settings: Settings, **options: Any) -> Composer:
    """extractive | openai | llamacpp; options go to LLMComposer (max_documents, document_chars, breaker)."""
    match settings.composer:
        case "extractive":
            return ExtractiveComposer()
        case "openai":
            return llm_composer("openai", openai_model(settings), settings, **options)
        case "llamacpp":
            return llm_composer("llamacpp", llamacpp_model(settings), settings, **options)
        case other:
            raise LegalbotError(
                f"Unknown LEGALBOT_COMPOSER {other!r}: choose one of {', '.join(COMPOSERS)} "
                "('openai' needs pip install -e '.[openai]', 'llamacpp' needs pip install -e '.[llamacpp]')."
            )


def llm_composer(provider: str, model: BaseChatModel, settings: Settings, **options: Any) -> LLMComposer:
    """An LLMComposer over any LangChain chat model, with the prompt from the settings' prompts folder."""
    from bot.core.llm.composer import LLMComposer
    from bot.core.llm.prompt import load_prompt

    return LLMComposer(provider, model, load_prompt(settings.prompts_dir), **options)


def token_fields(base_url: str) -> tuple[str, ...]:
    """Which request fields carry the token limit for this endpoint.

    langchain-openai 1.7 sends only `max_completion_tokens`. llama.cpp's server (and older vLLM or Ollama) ignore it
    and generate until the context is full, so `max_tokens` goes too; but Mistral rejects `max_completion_tokens`
    (422, extra inputs not permitted) and OpenAI rejects `max_tokens` for its reasoning models.
    """
    host = (urlparse(base_url).hostname or "").lower()
    if host == "api.openai.com" or host.endswith(".openai.azure.com"):
        return ("max_completion_tokens",)
    if host == "api.mistral.ai" or host.endswith(".mistral.ai"):
        return ("max_tokens",)
    return ("max_completion_tokens", "max_tokens")


def openai_model(settings: Settings, extra_body: dict[str, Any] | None = None,
                 http_client: Any = None) -> BaseChatModel:
    """ChatOpenAI against any OpenAI-compatible endpoint; extra_body adds server-specific request fields."""
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise LegalbotError("The 'openai' composer needs langchain-openai: pip install -e '.[openai]'") from exc
    fields = token_fields(settings.llm_base_url)
    body = {"max_tokens": settings.llm_max_tokens} if "max_tokens" in fields else {}
    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout_s,
        max_retries=0,  # a retry doubles the user's wait; the breaker and the fallback handle failures
        max_completion_tokens=settings.llm_max_tokens if "max_completion_tokens" in fields else None,
        extra_body={**body, **(extra_body or {})} or None,
        http_client=http_client,
    )


def llamacpp_model(settings: Settings) -> BaseChatModel:
    """A local GGUF in this process; without LEGALBOT_LLM_GGUF_PATH, the extra's tiny test model."""
    from bot.core.llm.local import LocalLlama, bundled_model

    if settings.llm_gguf_path is not None:
        path, chat_format = settings.llm_gguf_path.expanduser(), None
    else:
        log.warning("No LEGALBOT_LLM_GGUF_PATH: using the bundled Gemma 3 270M test model (plumbing, not answers).")
        # A base model without a chat template: llama.cpp's "gemma" format supplies the turn markers.
        path, chat_format = bundled_model(), "gemma"
    return LocalLlama.load(path, chat_format=chat_format, max_tokens=settings.llm_max_tokens,
                           timeout_s=settings.llm_timeout_s)

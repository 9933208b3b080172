"""`legalbot bench`: our retrieval against the previous pipeline, BM25-only, dense-only (LangChain) and the floor,
plus answer latency, ingest time and start-up costs."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from bot.core.assistant import Assistant
from bot.core.compose import ExtractiveComposer
from bot.core.intents import load_encoder
from bot.core.llm.bench import answer_latency_rows, percentiles
from bot.core.retrieval import best_per_source
from bot.core.textproc import tokenize
from bot.quality.evaluation import is_hit, load_questions
from bot.settings import Settings

Ranker = Callable[[str, str], list[str]]


def measure(rank: Ranker, questions: list[dict], k: int = 5) -> tuple[float, float, float]:
    """recall@k, p50 ms and p95 ms of one pipeline over the in-scope questions."""
    hits, times = 0, []
    for q in questions:
        started = time.perf_counter()
        ranked = rank(q["q"], q["lang"])
        times.append(time.perf_counter() - started)
        hits += any(is_hit(sid, q["expect"]) for sid in ranked[:k])
    return (hits / len(questions), *percentiles(times))


def _nothing(_result: object) -> list[str]:
    """Rank nothing: for rows that only time a step."""
    return []


def _langchain_dense(assistant: Assistant, settings: Settings) -> Ranker:
    """A stock LangChain Chroma retriever over the same collection and the same model."""
    import chromadb
    from langchain_chroma import Chroma
    from langchain_huggingface import HuggingFaceEmbeddings

    from bot.core.embeddings import _resolve
    from bot.core.index import COLLECTION

    client = chromadb.PersistentClient(
        path=str(settings.chroma_dir), settings=chromadb.Settings(anonymized_telemetry=False)
    )
    embeddings = HuggingFaceEmbeddings(
        model_name=_resolve(settings.embedding_model), encode_kwargs={"normalize_embeddings": True}
    )
    store = Chroma(client=client, collection_name=COLLECTION, embedding_function=embeddings)

    def rank(query: str, lang: str) -> list[str]:
        docs = store.as_retriever(search_kwargs={"k": 5, "filter": {"lang": lang}}).invoke(query)
        return [doc.metadata["source_id"] for doc in docs]

    return rank


# The child reports its own peak: getrusage(RUSAGE_CHILDREN) would count the parent's memory that fork copied.
_WITH_PEAK = (
    "import atexit, runpy, sys\n"
    "def peak():\n"
    "    with open('/proc/self/status') as status:\n"
    "        sys.stderr.write(next(line for line in status if line.startswith('VmHWM')))\n"
    "atexit.register(peak)\n"
    "runpy.run_module('bot', run_name='__main__')\n"
)


def _subprocess(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall time of a child `legalbot` run and its peak RSS in MB."""
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", _WITH_PEAK, *args], env=env, check=True, capture_output=True,
                         text=True)
    elapsed = time.perf_counter() - started
    lines = [line for line in run.stderr.splitlines() if line.startswith("VmHWM")]
    return elapsed, int(lines[-1].split()[1]) // 1024 if lines else 0


def run_bench(args: argparse.Namespace, settings: Settings) -> int:
    """Print one table: recall and latency of each pipeline, the floor, ingest time, cold start and peak RSS."""
    questions = [q for q in load_questions(args.questions) if q["expect"]]
    # Retrieval and the extractive row are measured without any LLM the settings may name; LLM rows come last.
    assistant = Assistant.from_settings(settings, composer=ExtractiveComposer())
    for q in questions:  # the language is part of the question here, as the eval harness gives it
        q["lang"] = assistant.language_of(q["q"], q["lang"])
    retriever, index = assistant.retriever, assistant.index
    ours = measure(lambda q, lang: [p.source_id for p in assistant.retrieve(q, lang).passages], questions)
    before = measure(lambda q, lang: [p.source_id for p in retriever.search(q, lang).passages], questions)
    encoder = load_encoder(settings.intent_model)
    intent = measure(lambda q, lang: _nothing(encoder.encode([q])), questions)  # time only: its recall reads 0
    bm25 = measure(
        lambda q, lang: [p.source_id for p in best_per_source(index.keyword(tokenize(q, lang), lang, 40))], questions
    )
    dense = measure(_langchain_dense(assistant, settings), questions)
    floor = measure(
        lambda q, lang: [p.source_id for p in index.dense(assistant.embedder.embed([q])[0], lang, 5)], questions
    )
    env = {**os.environ, "LEGALBOT_DATA_DIR": str(settings.data_dir)}
    cold, cold_rss = _subprocess(["ask", "Can I object to Meta training its AI on my posts?", "--json"], env)
    with tempfile.TemporaryDirectory() as fresh:
        ingest, ingest_rss = _subprocess(["ingest", "--quiet"], {**env, "LEGALBOT_DATA_DIR": fresh})
    rows = [
        ("ours (hybrid + intents)", *ours),
        ("hybrid without intents (before)", *before),
        ("intent model alone (1 question)", *intent),
        ("BM25 only", *bm25),
        ("dense only (LangChain)", *dense),
        ("floor: embed + Chroma query", *floor),
    ]
    print(f"{len(questions)} in-scope questions from {args.questions}")
    print(f"{'pipeline':<34}{'recall@5':>10}{'p50 ms':>10}{'p95 ms':>10}")
    for name, recall, p50, p95 in rows:
        print(f"{name:<34}{recall:>10.3f}{p50:>10.1f}{p95:>10.1f}")
    print(f"full ingest: {ingest:.1f} s (target <= 120 s: {'met' if ingest <= 120 else 'MISSED'})")
    print(f"cold start to first answer: {cold:.1f} s (target <= 5 s: {'met' if cold <= 5 else 'MISSED'})")
    print(f"peak RSS: {cold_rss} MB answering (cold start), {ingest_rss} MB ingesting")
    extractive = measure(lambda q, lang: [c.id for c in assistant.ask(q, lang).citations], questions)
    # The previous pipeline in the same run: retrieval without intents, composed with no decision.
    previous = measure(lambda q, lang: [c.id for c in assistant.composer.compose(retriever.search(q, lang, k=8))
                                        .citations], questions)
    print(f"answer latency {'full answer (decision)':<22}{'':>10}{extractive[1]:>10.1f}{extractive[2]:>10.1f}")
    print(f"answer latency {'previous pipeline':<22}{'':>10}{previous[1]:>10.1f}{previous[2]:>10.1f}")
    print(f"target: full answer p95 {extractive[2]:.1f} ms <= 2 x previous p95 = {2 * previous[2]:.1f} ms: "
          f"{'met' if extractive[2] <= 2 * previous[2] else 'MISSED'}")
    for name, p50, p95 in answer_latency_rows(settings, questions, assistant=assistant):
        print(f"answer latency {name:<22}{'':>10}{p50:>10.1f}{p95:>10.1f}")
    print(
        json.dumps(
            {
                "ours": ours,
                "before": before,
                "answer": extractive,
                "answer_before": previous,
                "bm25": bm25,
                "dense": dense,
                "floor": floor,
                "ingest_s": ingest,
                "cold_start_s": cold,
                "peak_rss_mb": max(cold_rss, ingest_rss),
            }
        )
    )
    return 0

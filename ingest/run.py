"""`legalbot ingest`: collect, embed and index, then report counts per source and the time taken."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from bot.core.index import chroma_client
from bot.core.intents import load_encoder
from bot.settings import Settings
from ingest.export_model import embedder_for_ingest
from ingest.index import BUILD, IndexReport, write_index
from ingest.intents import entry_rows, negative_rows, topic_rows, write_intents
from ingest.pipeline import collect, input_fingerprint

STATE_FILE = "ingest_state.json"


def is_stale(settings: Settings) -> bool:
    """True when the index is missing or its inputs changed since the last ingest."""
    state = settings.data_dir / STATE_FILE
    if not state.exists():
        return True
    recorded = json.loads(state.read_text())
    return recorded.get("fingerprint") != input_fingerprint(settings) or recorded.get("build") != build_key(settings)


def build_key(settings: Settings) -> str:
    """How the index is built beyond its inputs: a change (say, a new token cut) makes the next `make run` ingest."""
    return json.dumps({**BUILD, "max_tokens": settings.embedding_max_tokens, "intents": settings.intent_model},
                      sort_keys=True)


def run_ingest(
    settings: Settings, fetch: bool = False, progress: bool = True, say: Callable[[str], None] = print
) -> IndexReport:
    """Bring the index up to date with the corpus and knowledge/; safe to repeat."""
    started = time.perf_counter()
    documents, warnings = collect(settings, fetch=fetch)
    for warning in warnings:
        say(f"warning: {warning}")
    embedder = embedder_for_ingest(settings)
    report = write_index(settings.data_dir, documents, embedder, progress=progress, chroma_url=settings.chroma_url)
    knowledge = settings.knowledge_dir
    intent_rows = [*entry_rows(documents), *topic_rows(knowledge / "law_topics.yaml"),
                   *negative_rows(knowledge / "scope.yaml")]
    added, kept, _removed = write_intents(chroma_client(settings.chroma_dir, settings.chroma_url), intent_rows,
                                         load_encoder(settings.intent_model))
    state = {"fingerprint": input_fingerprint(settings), "embedding_model": embedder.name, "build": build_key(settings)}
    (settings.data_dir / STATE_FILE).write_text(json.dumps(state))
    elapsed = time.perf_counter() - started
    say(f"{'source':<14}{'embedded':>10}{'unchanged':>11}")
    for group in sorted(report.added.keys() | report.kept.keys()):
        say(f"{group:<14}{report.added.get(group, 0):>10}{report.kept.get(group, 0):>11}")
    say(f"{'intents':<14}{added:>10}{kept:>11}")
    say(f"{report.total} passages in the index; {report.removed_docs} removed documents; {elapsed:.1f} s")
    return report

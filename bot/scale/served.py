"""The assistant of a worker of many: passages, vectors and intents from the Chroma server, no local index files."""

from __future__ import annotations

from bot.core.assistant import Assistant
from bot.core.embeddings import load_fast_embedder
from bot.core.index import KnowledgeIndex, chroma_client
from bot.core.intents import load_intents
from bot.core.llm.providers import make_composer
from bot.settings import Settings


def served_assistant(settings: Settings) -> Assistant:
    """Assistant.from_settings, reading from LEGALBOT_CHROMA_URL (the data folder may hold the ONNX export only)."""
    # Kept beside Assistant.from_settings rather than inside it while issue 10 reshapes that module; one place later.
    embedder = load_fast_embedder(settings.embedding_model, settings.embedding_max_tokens, settings.export_dir)
    index = KnowledgeIndex(settings.data_dir, embedder.name, settings.chroma_url)
    client = chroma_client(settings.chroma_dir, settings.chroma_url)
    intents = None if index.empty else load_intents(client, settings.intent_model)
    return Assistant(settings, index, embedder, make_composer(settings), intents)

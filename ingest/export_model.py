"""Export the sentence-transformers model to ONNX once per model, so that answering needs no torch."""

from __future__ import annotations

import json
import logging
import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from bot.core.embeddings import Embedder, SentenceTransformerEmbedder, load_embedder, model_stamp
from bot.core.onnx_embedder import META_FILE, MODEL_FILE, TOKENIZER_FILE, load_onnx
from bot.settings import Settings

log = logging.getLogger(__name__)

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
POOLINGS = ("mean", "cls")
# Texts the export must embed like sentence-transformers does before it is used (English, French, German, long).
PROBES = (
    "Can I object to Meta training its AI on my posts?",
    "Puis-je m'opposer à l'utilisation de mes données personnelles ?",
    "Widerspruch gegen die Verarbeitung nach Artikel 21 DSGVO",
    "The data subject shall have the right to object, on grounds relating to his or her particular situation, " * 8,
)
MIN_COSINE = 0.9999


def embedder_for_ingest(settings: Settings) -> Embedder:
    """The ONNX export of the configured model, made now if missing or stale; sentence-transformers if impossible."""
    name, max_tokens, folder = settings.embedding_model, settings.embedding_max_tokens, settings.export_dir
    stamp = model_stamp(name)
    fast = load_onnx(folder, name, stamp, max_tokens)
    if fast is not None:
        return fast
    model = load_embedder(name, max_tokens)
    reason = export(model, folder, stamp)
    if reason is None:
        fast = load_onnx(folder, name, stamp, max_tokens)
        reason = _disagreement(model, fast) if fast is not None else "the export does not load"
        if reason is None:
            return fast
        shutil.rmtree(folder, ignore_errors=True)
    log.warning("Answering will use sentence-transformers (slower start): %s", reason)
    return model


def export(embedder: SentenceTransformerEmbedder, folder: Path, stamp: str) -> str | None:
    """Write model.onnx, tokenizer.json and export.json into `folder`; the reason when the model cannot be exported."""
    modules = list(embedder._model)
    kinds = [type(module).__name__ for module in modules]
    if kinds[:2] != ["Transformer", "Pooling"] or kinds[2:] not in ([], ["Normalize"]):
        return f"modules {kinds} are not transformer + pooling"
    pooling = modules[1].pooling_mode
    if pooling not in POOLINGS:
        return f"pooling {pooling!r} is not supported"
    try:
        import torch
    except ImportError:
        return "torch is not installed"
    tokenizer = embedder._model.tokenizer
    sample = tokenizer(["a b", "a somewhat longer sample"], padding=True, return_tensors="pt")
    inputs = [name for name in INPUTS if name in sample]
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    graph = _pooled(modules[0].auto_model, inputs, pooling).eval()
    axes = {name: {0: "batch", 1: "tokens"} for name in inputs}
    try:
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")  # tracer and exporter deprecation notes, not actionable here
            torch.onnx.export(
                graph, tuple(sample[name] for name in inputs), str(tmp / MODEL_FILE), input_names=inputs,
                output_names=["embedding"], dynamic_axes={**axes, "embedding": {0: "batch"}}, opset_version=17,
                dynamo=False,  # the torch.export path needs onnxscript and handles this plain encoder no better
            )
    except Exception as error:  # e.g. the onnx package missing, or an architecture the tracer cannot follow
        shutil.rmtree(tmp, ignore_errors=True)
        return f"the ONNX export failed ({type(error).__name__}: {error})"
    tokenizer.backend_tokenizer.save(str(tmp / TOKENIZER_FILE))
    meta = {
        "model": embedder.name, "stamp": stamp, "dimension": embedder.dimension, "inputs": inputs,
        "pooling": pooling, "lowercase": bool(getattr(modules[0], "do_lower_case", False)),
        "pad_id": int(tokenizer.pad_token_id or 0),
    }
    (tmp / META_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)  # the bot never sees a half-written export
    return None


def _disagreement(reference: Embedder, candidate: Embedder) -> str | None:
    """None when the export embeds the probes like sentence-transformers, else what differs."""
    cosine = (np.asarray(reference.embed(list(PROBES))) * np.asarray(candidate.embed(list(PROBES)))).sum(axis=1)
    return None if cosine.min() >= MIN_COSINE else f"the export disagrees with the model (cosine {cosine.min():.4f})"


def _pooled(encoder: Any, inputs: list[str], pooling: str) -> Any:
    """Transformer, pooling and normalisation as one torch module (defined here: importing this file stays light)."""
    import torch

    class Pooled(torch.nn.Module):
        """Computes what sentence-transformers computes, in a graph the ONNX exporter can trace."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, *tensors: Any) -> Any:
            named = dict(zip(inputs, tensors, strict=True))
            hidden = self.encoder(**named).last_hidden_state
            if pooling == "cls":
                vector = hidden[:, 0]
            else:
                mask = named["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                vector = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(vector, dim=1)

    return Pooled()

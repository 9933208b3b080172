"""The same sentence-transformers model run by ONNX Runtime: no torch at answer time, so the bot starts in a second."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
META_FILE = "export.json"
BATCH = 32  # measured on 2 cores: 16 and 64 are both slower


class OnnxEmbedder:
    """Tokenizer + exported transformer with pooling and normalisation inside the graph (see ingest/export_model.py)."""

    def __init__(self, folder: Path, meta: dict, max_tokens: int, threads: int = 0) -> None:
        # Imported here: a bot configured without an export never pays for them.
        import onnxruntime
        from tokenizers import Tokenizer

        self.name = meta["model"]
        self.dimension = int(meta["dimension"])
        self.max_tokens = max_tokens
        self._inputs = list(meta["inputs"])
        self._lowercase = bool(meta.get("lowercase"))
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self._tokenizer.enable_truncation(max_tokens)
        self._tokenizer.enable_padding(pad_id=int(meta.get("pad_id", 0)))
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # its warnings about unused initialisers are noise for operators
        options.intra_op_num_threads = threads  # 0: onnxruntime's default, one spinning thread per core
        self._session = onnxruntime.InferenceSession(
            str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Unit-length vectors, batched by length so that little padding is computed."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            out[rows] = self._run([texts[i] for i in rows])
        return out.tolist()

    def _run(self, texts: list[str]) -> np.ndarray:
        """One padded batch through the graph."""
        encodings = self._tokenizer.encode_batch([t.lower() for t in texts] if self._lowercase else texts)
        columns = {
            "input_ids": [e.ids for e in encodings],
            "attention_mask": [e.attention_mask for e in encodings],
            "token_type_ids": [e.type_ids for e in encodings],
        }
        feed = {name: np.asarray(columns[name], dtype=np.int64) for name in self._inputs}
        return self._session.run(None, feed)[0]


def _export_meta(folder: Path) -> dict | None:
    """What an export in `folder` was made from, or None when there is none."""
    path = folder / META_FILE
    if not (path.exists() and (folder / MODEL_FILE).exists() and (folder / TOKENIZER_FILE).exists()):
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None


def load_onnx(folder: Path, name: str, stamp: str, max_tokens: int, threads: int = 0) -> OnnxEmbedder | None:
    """The exported model when `folder` holds an export of exactly this model, else None."""
    meta = _export_meta(folder)
    if meta is None or meta.get("model") != name or meta.get("stamp") != stamp:
        return None
    try:
        return OnnxEmbedder(folder, meta, max_tokens, threads)
    except Exception as error:  # a damaged export must not stop the bot: sentence-transformers still works
        log.warning("Ignoring the ONNX export in %s (%s)", folder, type(error).__name__)
        return None

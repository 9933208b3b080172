"""The LangChain pipeline: numbered, delimited documents and the question in; the model's raw text out."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable

from bot.core.compose import trim
from bot.core.llm.prompt import AnswerPrompt
from bot.core.types import Passage

LANGUAGE_NAMES = {"en": "English", "fr": "French (français)", "de": "German (Deutsch)"}


def documents_block(passages: Sequence[Passage], max_chars: int) -> str:
    """`<document n="1" id=... label=...>` blocks; markup inside the text is escaped so it cannot close a block."""
    blocks = []
    for number, passage in enumerate(passages, 1):
        attributes = f'n="{number}" id="{escape(passage.source_id)}" label="{escape(passage.label)}"'
        if passage.title:
            attributes += f' title="{escape(passage.title)}"'
        blocks.append(f"<document {attributes}>\n{escape(trim(passage.text, max_chars), quote=False)}\n</document>")
    return "\n".join(blocks)


def chain_inputs(question: str, lang: str, passages: Sequence[Passage], max_chars: int) -> dict[str, str]:
    """The prompt's three variables; the question is escaped like the documents (it is data too)."""
    return {
        "language": LANGUAGE_NAMES.get(lang, LANGUAGE_NAMES["en"]),
        "documents": documents_block(passages, max_chars),
        "question": escape(" ".join(question.split()), quote=False),
    }


def build_chain(prompt: AnswerPrompt, model: BaseChatModel) -> Runnable[dict[str, Any], str]:
    """prompt | model | text: the one LCEL runnable every provider shares."""
    return prompt.template | model | StrOutputParser()

"""Answers as Telegram HTML, split at paragraph boundaries under the 4096-character limit."""

from __future__ import annotations

import re
from html import escape, unescape

from bot.core.i18n import t
from bot.core.types import Answer

LIMIT = 4096
_SENTENCE_END = re.compile(r"(?<=[.!?»])\s+")


def link(label: str, url: str) -> str:
    """An escaped HTML link (plain label when there is no URL)."""
    return f'<a href="{escape(url, quote=True)}">{escape(label)}</a>' if url else escape(label)


def answer_blocks(answer: Answer) -> list[str]:
    """The answer as HTML paragraphs; each block is self-contained (no tag spans two blocks)."""
    blocks = [escape(paragraph) for paragraph in answer.text.split("\n\n") if paragraph.strip()]
    if not answer.citations:
        return blocks
    if answer.quote:
        intro = t(answer.lang, "answer.quote_intro", label=answer.quote.label)
        blocks.append(f"<i>{escape(intro)}</i>\n<blockquote>{escape(answer.quote_text)}</blockquote>")
    sources = [f"<b>{escape(t(answer.lang, 'answer.sources'))}</b>"]
    sources += [f"{i}. {link(c.label, c.url)}" for i, c in enumerate(answer.citations, 1)]
    blocks.append("\n".join(sources))
    note = f"<i>{escape(t(answer.lang, 'answer.disclaimer'))}</i>"
    if answer.suggest_flow:
        note += "\n" + escape(t(answer.lang, f"answer.pointer_{answer.suggest_flow}"))
    blocks.append(note)
    return blocks


def _greedy(units: list[str], limit: int, joiner: str) -> list[str]:
    """Join units into as few chunks as fit under the limit, breaking only between units."""
    chunks: list[str] = []
    current = ""
    for unit in units:
        if current and len(current) + len(joiner) + len(unit) > limit:
            chunks.append(current)
            current = unit
        else:
            current = f"{current}{joiner}{unit}" if current else unit
    return [*chunks, current] if current else chunks


def split_plain(text: str, limit: int) -> list[str]:
    """Split an over-long plain paragraph at sentences, else at spaces (a word is only cut if it alone is too long)."""
    units: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        for word in [sentence] if len(sentence) <= limit else sentence.split(" "):
            units += [word[i : i + limit] for i in range(0, len(word), limit)] or [""]
    return _greedy([u for u in units if u], limit, " ")


def split_lines(text: str, limit: int = LIMIT) -> list[str]:
    """Plain text as messages under the limit, broken at line ends (an over-long line at sentences)."""
    units = [u for line in text.split("\n") for u in (split_plain(line, limit) if len(line) > limit else [line])]
    return _greedy(units, limit, "\n")


def pack(blocks: list[str], limit: int = LIMIT) -> list[str]:
    """The blocks as messages under the limit; an over-long block (always plain escaped text) is split first."""
    units: list[str] = []
    for block in blocks:
        if len(block) <= limit:
            units.append(block)
        else:
            # Escaping can lengthen text, so split the plain text with room to spare.
            units += [escape(piece) for piece in split_plain(unescape(block), limit // 2)]
    return _greedy(units, limit, "\n\n")


def answer_messages(answer: Answer, limit: int = LIMIT) -> list[str]:
    """The answer as one or more valid HTML messages."""
    return pack(answer_blocks(answer), limit)

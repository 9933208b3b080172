"""The gate between a model and a user: `[n]` markers become citations, or the answer is rejected with a reason."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.core.references import find_references
from bot.core.textproc import detect_language, fold
from bot.core.types import Passage, base_id

# Why an answer came from the extractive composer instead: the first group is the validator's, the second the call's.
Reason = Literal[
    "empty", "too-short", "malformed", "prompt-echo", "no-citation", "wrong-language", "foreign-link",
    "unsupported-reference", "timeout", "error", "circuit-open",
]
MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")
_URL = re.compile(r"https?://[^\s<>()\[\]\"']+")
_CITATION_ID = re.compile(r"\b(?:gdpr|rad|cjeu|faq|guide|news)/[\w-]+", re.IGNORECASE)
_MARKUP = re.compile(r"</?\s*(?:documents?|question)\b", re.IGNORECASE)  # the model echoing its input
_SENTENCE_END = re.compile(r"[.!?…»](?:\s*\[\d{1,3}(?:\s*,\s*\d{1,3})*\])*")
_SPACE_BEFORE_STOP = re.compile(r"[ \t]+(?=[.,])")  # left where an invalid marker was removed
_SPACES = re.compile(r"[ \t]{2,}")
_MARKDOWN = re.compile(r"\*\*|__|^#{1,6}[ \t]+", re.MULTILINE)  # adapters escape text: '**' would show as is
_WORD = re.compile(r"[^\W_]+")
ECHO_WORDS = 8  # this many words in a row from the prompt's own wording: the model is reciting its instructions
MIN_WORDS = 4  # "HACKED [1]." or "Yes [1]." is no answer; the extractive one is better
MIN_LATIN = 0.9  # share of letters in Latin script: the bot's languages are written in it, py3langid only knows 3


@dataclass(frozen=True)
class Grounded:
    """An answer whose every marker names a retrieved passage; markers renumbered 1..n in order of first use."""

    text: str
    cited: tuple[Passage, ...]
    dropped: int  # markers that named no retrieved passage and were removed


@dataclass(frozen=True)
class Rejected:
    """No answer a user may see: fall back to the extractive one."""

    reason: Reason
    dropped: int = 0


def check_answer(raw: str, documents: Sequence[Passage], lang: str,
                 prompt_shingles: frozenset[tuple[str, ...]] = frozenset()) -> Grounded | Rejected:
    """Validate a generated answer against the documents the model was given (and the prompt it must not recite)."""
    text = _MARKDOWN.sub("", raw).strip()
    if _MARKUP.search(text):
        return Rejected("malformed")
    if shingles(text) & prompt_shingles:
        return Rejected("prompt-echo")
    text, cited, dropped = renumber(drop_unfinished(text), documents)
    prose = MARKER.sub("", text)
    if not any(ch.isalpha() for ch in prose):
        return Rejected("empty", dropped)
    if len(prose.split()) < MIN_WORDS:
        return Rejected("too-short", dropped)
    if not cited:
        return Rejected("no-citation", dropped)
    if not in_language(prose, lang):
        return Rejected("wrong-language", dropped)
    urls = {p.url for p in documents}
    if any(url.rstrip(".,;:") not in urls for url in _URL.findall(prose)):
        return Rejected("foreign-link", dropped)
    if unsupported_references(prose, documents):
        return Rejected("unsupported-reference", dropped)
    return Grounded(text, cited, dropped)


def shingles(*texts: str, size: int = ECHO_WORDS) -> frozenset[tuple[str, ...]]:
    """Every run of `size` consecutive folded words in the texts."""
    runs: set[tuple[str, ...]] = set()
    for text in texts:
        words = _WORD.findall(fold(text))
        runs.update(tuple(words[i : i + size]) for i in range(len(words) - size + 1))
    return frozenset(runs)


def drop_unfinished(text: str) -> str:
    """Cut a sentence left unfinished by the token limit, when a finished one comes before it."""
    if not text or text[-1] in ".!?…»)\"]":
        return text
    ends = list(_SENTENCE_END.finditer(text))
    return text[: ends[-1].end()] if ends else text


def marker_numbers(text: str) -> list[int]:
    """Every number inside `[n]` or `[n, m]` markers, in order."""
    return [number for match in MARKER.finditer(text) for number in _numbers(match)]


def _numbers(match: re.Match[str]) -> list[int]:
    """The numbers of one marker match."""
    return [int(part) for part in match[1].split(",")]


def renumber(text: str, documents: Sequence[Passage]) -> tuple[str, tuple[Passage, ...], int]:
    """Keep markers that name a document, number them in order of first use, and drop the others."""
    shown: dict[int, int] = {}  # document number -> number the user sees
    dropped = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal dropped
        kept = []
        for number in _numbers(match):
            if 1 <= number <= len(documents):
                kept.append(shown.setdefault(number, len(shown) + 1))
            else:
                dropped += 1
        return "".join(f"[{n}]" for n in dict.fromkeys(kept))

    cleaned = _SPACES.sub(" ", _SPACE_BEFORE_STOP.sub("", MARKER.sub(replace, text)))
    return cleaned.strip(), tuple(documents[n - 1] for n in shown), dropped


def in_language(prose: str, lang: str) -> bool:
    """True when the text is in Latin script and detected as the user's language."""
    letters = [ch for ch in prose if ch.isalpha()]
    latin = sum(unicodedata.name(ch, "").startswith("LATIN") for ch in letters)
    return latin >= MIN_LATIN * len(letters) and detect_language(prose, default=lang) == lang


def unsupported_references(prose: str, documents: Sequence[Passage]) -> list[str]:
    """Articles, recitals, cases or ids the answer names that neither are a document nor are named in one."""
    allowed = {base_id(p.source_id) for p in documents}
    for passage in documents:
        allowed |= {base_id(ref) for ref in find_references(f"{passage.label} {passage.title} {passage.text}")}
    named = {base_id(ref) for ref in find_references(prose)} | set(_CITATION_ID.findall(prose))
    return sorted({ref.lower() for ref in named} - {ref.lower() for ref in allowed})

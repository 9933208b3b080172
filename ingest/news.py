"""Plain-text captures of press web pages -> a Document of paragraph-group passages, page furniture removed."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from bot.core.labels import news_label
from bot.core.types import Document, Passage

# Headings after which a news page has only links to other content ("related articles" and the footer).
END_MARKERS: tuple[str, ...] = (
    "sur le même thème", "à lire aussi", "lire aussi", "related articles", "read more", "more on this topic",
    "mehr zum thema", "das könnte sie auch interessieren",
)
# Lines that are page furniture even though they look like text: widgets, bylines, credits, reading time.
FURNITURE: tuple[re.Pattern, ...] = tuple(re.compile(p, re.IGNORECASE) for p in (
    r"^getting your .*audio player ready",
    r"^(publié|posted|published|veröffentlicht)\b.*\b(par|by|von)\b",
    r"^(©|\(c\)|crédit|credit|photo\s*:)",
    r"^\d+\s*(min|minutes?)\b",
    r"^(imprimer|print|drucken|partager|share|teilen|lecture|recherche|search|suche)$",
    r"^(s'abonner|se connecter|retour haut de page|subscribe|log in|sign in)\b",
))
MIN_WORDS, MAX_WORDS = 60, 200  # passage size: enough context for retrieval, short enough to embed
_BULLET = re.compile(r"^[\s•·▪◦*\-–—]+")
_SENTENCE_END = re.compile(r"[.!?:»\"”…)]$")
_NAME = re.compile(r"^(?P<slug>.+?)\.(?P<lang>[a-z]{2})\.txt$")
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")


def _is_furniture(line: str) -> bool:
    """Tell page furniture from article text by general rules, not by position in one page."""
    words = line.split()
    half = len(words) // 2
    if len(words) <= 8 and len(words) % 2 == 0 and half and words[:half] == words[half:]:
        return True  # a menu label rendered twice ("En ce moment En ce moment")
    if any(p.search(line) for p in FURNITURE):
        return True
    # Short lines that are not sentences are buttons, tags, counters or stray tokens ("OSZAR »").
    return len(words) < 4 and not _SENTENCE_END.search(line.rstrip(" »"))


def _headline(lines: list[str]) -> str:
    """Return the headline: the first line repeated on the page (title + image caption), else the first one."""
    counts = Counter(lines)
    repeated = [line for line in lines if counts[line] > 1 and len(line.split()) >= 4]
    if repeated:
        return repeated[0]
    return next((line for line in lines if len(line.split()) >= 4), "")


def clean_lines(text: str) -> tuple[str, list[str]]:
    """Split a page capture into its headline and article paragraphs, dropping furniture and the footer."""
    lines = [_BULLET.sub("", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    end = next((i for i, line in enumerate(lines) if line.lower().rstrip(" :") in END_MARKERS), len(lines))
    lines = [line for line in lines[:end] if not _is_furniture(line)]
    title = _headline(lines)
    return title, [line for line in lines if line != title]


def _is_heading(line: str) -> bool:
    """A subheading is a short line without closing punctuation; it belongs with the paragraph below it."""
    return len(line.split()) <= 12 and not _SENTENCE_END.search(line)


def _words(paragraphs: list[str]) -> int:
    """Count the words in a list of paragraphs."""
    return sum(len(p.split()) for p in paragraphs)


def group_paragraphs(paragraphs: list[str]) -> list[str]:
    """Join paragraphs into groups of about MIN_WORDS to MAX_WORDS words, keeping subheadings with their text."""
    groups: list[list[str]] = [[]]
    for para in paragraphs:
        current, size = groups[-1], _words(groups[-1])
        full = size >= MIN_WORDS or size + len(para.split()) > MAX_WORDS
        section = _is_heading(para) and size >= MIN_WORDS // 2  # a subheading opens a group once this has a body
        if current and not _is_heading(current[-1]) and (full or section):
            groups.append([])
        groups[-1].append(para)
    # A short tail joins the group before it rather than stand alone, if that stays within MAX_WORDS.
    if len(groups) > 1 and _words(groups[-1]) < MIN_WORDS and _words(groups[-2] + groups[-1]) <= MAX_WORDS:
        groups[-2].extend(groups.pop())
    return ["\n".join(g) for g in groups if g]


def parse_news_capture(path: Path, slug: str | None = None) -> Document:
    """Parse a saved press page (`<slug>.<lang>.txt`, date in the slug) into news passages."""
    path = Path(path)
    name = _NAME.match(path.name)
    if not name:
        raise ValueError(f"{path.name}: expected a file name like <slug-with-date>.<lang>.txt")
    lang, slug = name["lang"], slug or name["slug"]
    day = _DATE.search(path.name)
    if not day:
        raise ValueError(f"{path.name}: no YYYY-MM-DD date in the file name")
    title, paragraphs = clean_lines(path.read_text(encoding="utf-8"))
    label = news_label(title, day[1], lang)
    passages = tuple(
        Passage(source_id=f"news/{slug}#p{i}", label=label, url="", lang=lang, text=text, title=title,
                kind="news", date=day[1])
        for i, text in enumerate(group_paragraphs(paragraphs), start=1)
    )
    return Document(doc_id=f"news/{slug}@{lang}", passages=passages, origin=str(path))

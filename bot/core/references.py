"""Explicit references in a question ("Art. 6(1)(f)", "considérant 47", "C-252/21") mapped to citation ids."""

from __future__ import annotations

import re

from bot.core.textproc import fold

# Ordinal words keep "article 6 paragraphe 1" and "Art. 6 Abs. 1" on one pattern.
_PARA = (
    r"(?:\s*\(\s*(?P<p1>\d{1,2})\s*\)"
    r"|\s*(?:,\s*)?(?:abs(?:atz|\.)?|para(?:graph(?:e)?|\.)?|§|al(?:inea|\.)?)\s*(?P<p2>\d{1,2}))"
)
_ARTICLE = re.compile(
    r"\b(?:art(?:icles?|ikel|s?\.)?|art)\s*(?P<num>\d{1,3})(?!\s*/\s*\d)" + _PARA + "?",
    re.IGNORECASE,
)
_RECITAL = re.compile(
    r"\b(?:recitals?|considerants?|erwagungsgr(?:und|unde|\.)|erwg\.?)\s*(?P<num>\d{1,3})", re.IGNORECASE
)
_CASE = re.compile(r"\b[ct]\s*[-\u2010-\u2014]?\s*(?P<num>\d{1,3})\s*/\s*(?P<year>\d{2})\b", re.IGNORECASE)
_DIRECTIVE = re.compile(r"2020\s*/\s*1828|representative actions? directive|\brad\b|verbandsklage(?:n)?richtlinie")

# Judgments people name rather than number.
CASE_NAMES: dict[str, str] = {
    "planet49": "cjeu/C-673-17",
    "planet 49": "cjeu/C-673-17",
    "schrems ii": "cjeu/C-311-18",
    "schrems 2": "cjeu/C-311-18",
    "schrems i ": "cjeu/C-362-14",
    "google spain": "cjeu/C-131-12",
    "fashion id": "cjeu/C-40-17",
    "schufa": "cjeu/C-634-21",
    "osterreichische post": "cjeu/C-300-21",
    "austrian post": "cjeu/C-300-21",
    "bundeskartellamt": "cjeu/C-252-21",
}

RAD_ARTICLES = frozenset(range(1, 31))
GDPR_ARTICLES = frozenset(range(1, 100))


def find_references(text: str) -> list[str]:
    """Citation ids named in the text, most specific first, without duplicates."""
    folded = fold(text)
    directive = bool(_DIRECTIVE.search(folded))
    found: list[str] = []
    for match in _ARTICLE.finditer(folded):
        number = int(match.group("num"))
        paragraph = match.group("p1") or match.group("p2")
        if directive and number in RAD_ARTICLES:
            found.append(f"rad/art-{number}")
        elif number in GDPR_ARTICLES:
            found.append(f"gdpr/art-{number}#{int(paragraph)}" if paragraph else f"gdpr/art-{number}")
    found += [
        f"gdpr/recital-{int(m.group('num'))}" for m in _RECITAL.finditer(folded) if 0 < int(m.group("num")) <= 173
    ]
    found += [f"cjeu/C-{int(m.group('num'))}-{m.group('year')}" for m in _CASE.finditer(folded)]
    padded = f" {folded} "
    found += [case for name, case in CASE_NAMES.items() if name in padded]
    return list(dict.fromkeys(found))

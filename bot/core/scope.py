"""Signals of scope: role-change attempts and requests the bot declines, and the words that mark its topic."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.core.textproc import fold
from bot.settings import REPO_ROOT

SCOPE_FILE = REPO_ROOT / "knowledge" / "scope.yaml"
_WORD = re.compile(r"[^\W_]+(?:[/-][^\W_]+)*")
SUBWORD_MIN = 5  # anchors this long also match inside compounds ("daten" in "datenschutzbehorde")

# Attempts to override the bot's role, in the three languages (folded: no accents, lower case).
_INJECTION = re.compile(
    # "ignore your instructions" in imperative forms; "Meta ignores the rules" must stay a question.
    r"\bignore\s+(?:all\s+|any\s+)?(?:(?:your|the|my|previous|prior|above|earlier|these)\s+)+"
    r"(?:instructions?|rules|prompts?|guidelines)"
    r"|\bignore[zs]?\s+(?:toutes?\s+)?(?:tes|vos)\s+(?:instructions|consignes|regles)"
    r"|\bignore[zs]?\s+(?:toutes?\s+)?les\s+(?:instructions|consignes)\s+(?:precedentes|ci-dessus)"
    r"|\bignorier\w*\s+(?:(?:alle|deine|ihre|vorherigen?|bisherigen?|obigen?)\s+)+(?:anweisungen|regeln|vorgaben)"
    r"|system\s*-?\s*prompt|prompt\s+systeme|systemanweisung|jailbreak|\bdan\s+mode|developer\s+mode"
    r"|you\s+are\s+now\s+(?:a|an|my|the|dan|free)\b|from\s+now\s+on\s+you|pretend\s+(?:that\s+)?you(?:'re|\s+are)"
    r"|act\s+as\s+if\s+you|tu\s+es\s+(?:maintenant|desormais)|fais\s+comme\s+si\s+tu"
    r"|oublie\w*\s+(?:tou\w*\s+)?(?:tes|vos)\s+(?:regles|instructions|consignes)"
    r"|du\s+bist\s+(?:jetzt|ab\s+jetzt|nun)\b|vergiss\w*\s+(?:alle\w*\s+|deine\w*\s+)*(?:regel|anweisung|vorgabe)"
    r"|new\s+persona|reveal\s+your\s+(?:instructions|prompt)"
)


@dataclass(frozen=True)
class ScopeRules:
    """Anchor words and refusal patterns from knowledge/scope.yaml."""

    exact: dict[str, frozenset[str]]  # by language; "all" holds names that mean the same everywhere
    subwords: dict[str, tuple[str, ...]]
    refuse: tuple[re.Pattern[str], ...]


@lru_cache(maxsize=4)
def load_rules(path: Path = SCOPE_FILE) -> ScopeRules:
    """Read the anchors per language (French "comment" is not English "comment") and the refusal patterns."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    common = {fold(str(word)) for word in data["anchors"].get("all", [])}
    exact = {lang: frozenset(common | {fold(str(w)) for w in words}) for lang, words in data["anchors"].items()}
    return ScopeRules(
        exact=exact,
        subwords={lang: tuple(sorted(w for w in words if len(w) >= SUBWORD_MIN)) for lang, words in exact.items()},
        refuse=tuple(re.compile(pattern) for pattern in data.get("refuse", [])),
    )


def is_injection(text: str) -> bool:
    """True for attempts to make the bot drop its role, show its instructions, or do an unrelated task."""
    folded = fold(text)
    return bool(_INJECTION.search(folded)) or any(p.search(folded) for p in load_rules().refuse)


def has_anchor(text: str, lang: str, rules: ScopeRules | None = None) -> bool:
    """True when the text names something of the bot's topic, in its language or by a universal name."""
    rules = rules or load_rules()
    exact = rules.exact.get(lang, rules.exact["all"])
    subwords = rules.subwords.get(lang, rules.subwords["all"])
    for word in _WORD.findall(fold(text)):
        if word in exact or any(anchor in word for anchor in subwords if len(word) > len(anchor)):
            return True
    return False

"""Is a question for this bot? Injection attempts and off-topic requests are refused before any answer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.retrieval import Retrieval
from bot.core.textproc import fold

# Attempts to override the bot's role, in the three languages (folded: no accents, lower case).
_INJECTION = re.compile(
    r"ignore\w*\s+(?:all\s+|any\s+|the\s+|your\s+|my\s+|previous\s+|prior\s+|above\s+|tou\w*\s+|les\s+|tes\s+|vos\s+"
    r"|alle\w*\s+|deine\w*\s+|vorherige\w*\s+)*(?:instruction|rule|regle|consigne|anweisung|regel|prompt|vorgabe)"
    r"|system\s*-?\s*prompt|prompt\s+systeme|jailbreak|\bdan\s+mode|developer\s+mode"
    r"|you\s+are\s+now|from\s+now\s+on\s+you|pretend\s+(?:to\s+be|you)|act\s+as\s+(?:a|an|my)\b"
    r"|tu\s+es\s+(?:maintenant|desormais)|fais\s+comme\s+si|oublie\w*\s+(?:tou\w*\s+)?(?:tes|les|vos)\s+"
    r"|du\s+bist\s+(?:jetzt|ab\s+jetzt|nun)|vergiss\w*\s+(?:alle\w*\s+|deine\w*\s+)*(?:regel|anweisung|vorgabe)"
    r"|tu\s+comme\s+si|new\s+persona|reveal\s+your\s+(?:instructions|prompt)"
)


@dataclass(frozen=True)
class ScopeThresholds:
    """Calibrated on tests/eval/questions.jsonl with `legalbot eval --calibrate` (see the README)."""

    dense: float = 0.45  # best cosine similarity that alone makes a question in scope
    keyword: float = 2.0  # best BM25 score per query token that alone makes it in scope
    combined: float = 0.30  # cosine similarity that, with any keyword match, makes it in scope


def is_injection(text: str) -> bool:
    """True for attempts to make the bot drop its role or show its instructions."""
    return bool(_INJECTION.search(fold(text)))


def in_scope(retrieval: Retrieval, thresholds: ScopeThresholds = ScopeThresholds()) -> bool:
    """Refs, or a strong enough dense or keyword match, make a question one the bot should answer."""
    if is_injection(retrieval.query):
        return False
    if retrieval.refs and retrieval.passages:
        return True
    if retrieval.dense_top >= thresholds.dense or retrieval.keyword_top >= thresholds.keyword:
        return True
    return retrieval.dense_top >= thresholds.combined and retrieval.keyword_top > 0

"""Language detection and the keyword tokenizer shared by ingest and retrieval."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

from bot.core.types import LANGS

_STEMMERS = {"en": "english", "fr": "french", "de": "german"}
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_MARKS = re.compile("[\u0300-\u036f]")  # combining accents: all that NFKD leaves on French and German letters

# Function words carry no topic; dropping them keeps BM25 from matching "the" and "der".
STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "a an and are as at be been but by can could did do does for from had has have he her his how i if in into is"
        " it its me my no not of on or our she should so than that the their them then there these they this to was"
        " we were what when where which who why will with would you your yours am any also about just".split()
    ),
    "fr": frozenset(
        "a au aux avec ce ces cet cette dans de des du elle en est et eux il ils je la le les leur leurs lui ma mais"
        " me mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses si son sont sur ta te tes toi ton"
        " tu un une vos votre vous y suis ai as avons avez ont etre avoir fait faire comment quoi quel quelle est-ce"
        " ca cela peut puis dois doit".split()
    ),
    "de": frozenset(
        "aber als am an auch auf aus bei bin bis bist da dann das dass dem den der des die dies diese diesem dir du"
        " durch ein eine einem einen einer eines er es fur hat hatte ich ihr ihre im in ist ja kann kein keine mein"
        " meine mich mir mit nach nicht noch nun nur ob oder sein sich sie sind so um und uns unser von vor was weil"
        " wenn wer wie wir wird wo zu zum zur muss soll habe haben werden wurde".split()
    ),
}


def fold(text: str) -> str:
    """Lower-case and strip accents so that 'données' and 'donnees' meet."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    return _MARKS.sub("", unicodedata.normalize("NFKD", lowered.replace("ß", "ss")))


@lru_cache(maxsize=200_000)
def _stem(word: str, lang: str) -> str:
    """Snowball stem of one folded word, cached because stemming is the slow part."""
    return _stemmer(lang).stemWord(word)


@lru_cache(maxsize=3)
def _stemmer(lang: str) -> snowballstemmer.stemmer:
    """One Snowball stemmer per language."""
    return snowballstemmer.stemmer(_STEMMERS.get(lang, "english"))


def tokenize(text: str, lang: str) -> list[str]:
    """Folded, stop-word-free, stemmed tokens for BM25; digits are kept (article numbers matter)."""
    stops = STOPWORDS.get(lang, STOPWORDS["en"])
    tokens = []
    for word in _WORD.findall(fold(text)):
        if word in stops or (len(word) == 1 and not word.isdigit()):
            continue
        tokens.append(word if word.isdigit() else _stem(word, lang))
    return tokens


@lru_cache(maxsize=1)
def _identifier() -> object:
    """py3langid restricted to the bot's languages (loaded lazily: it unpickles a model)."""
    import py3langid

    py3langid.set_languages(list(LANGS))
    return py3langid


def detect_language(text: str, default: str = "en") -> str:
    """Best guess among en/fr/de; stop-word votes settle short or ambiguous questions."""
    words = _WORD.findall(fold(text))
    votes = {lang: sum(word in STOPWORDS[lang] for word in words) for lang in LANGS}
    best_vote = max(votes.values())
    if best_vote >= 2 and list(votes.values()).count(best_vote) == 1:
        return max(votes, key=votes.__getitem__)
    if not words:
        return default
    lang, _score = _identifier().classify(text)  # type: ignore[attr-defined]
    return lang if lang in LANGS else default

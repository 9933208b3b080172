"""Conversation texts: complete translations, matching placeholders, and loud failures."""

import re
from string import Formatter

import pytest

from bot.core.i18n import _load, normalise_lang, raw, t
from bot.errors import LegalbotError


def flatten(node: object, prefix: str = "") -> dict[str, object]:
    """Dotted keys to leaf values of a texts file."""
    if isinstance(node, dict):
        out: dict[str, object] = {}
        for key, value in node.items():
            out.update(flatten(value, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): node}


def load(lang: str) -> dict[str, object]:
    """One language's texts as the bot reads them (<lang>.yaml merged with every *.<lang>.yaml), flattened."""
    return flatten(_load(lang))


def placeholders(value: object) -> set[str]:
    """Names in {braces} anywhere in a text (or in the strings of a list)."""
    strings = value if isinstance(value, list) else [value]
    return {name for s in strings if isinstance(s, str) for _, name, _, _ in Formatter().parse(s) if name}


ENGLISH = load("en")


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_every_text_is_translated_and_nothing_extra(lang):
    """fr and de have exactly the keys of en, so no user sees a stray English message."""
    other = load(lang)
    assert sorted(set(ENGLISH) - set(other)) == []
    assert sorted(set(other) - set(ENGLISH)) == []


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_placeholders_match_across_languages(lang):
    """A translation uses the same {names} as English, so formatting never fails in one language only."""
    other = load(lang)
    mismatched = {key: (placeholders(ENGLISH[key]), placeholders(other[key]))
                  for key in ENGLISH.keys() & other.keys() if placeholders(ENGLISH[key]) != placeholders(other[key])}
    assert mismatched == {}


@pytest.mark.parametrize("lang", ["en", "fr", "de"])
def test_no_text_is_empty(lang):
    """Every message has words in it."""
    assert [key for key, value in load(lang).items() if not str(value or "").strip()] == []


def test_placeholder_without_value_fails_loudly():
    """A missing value raises instead of showing '{limit}' to a user."""
    with pytest.raises(LegalbotError, match="limit"):
        t("en", "answer.too_long", length=5000)


def test_placeholders_are_filled():
    """With every value given, the numbers appear in the text in each language."""
    for lang in ("en", "fr", "de"):
        text = t(lang, "answer.too_long", length=5123, limit=4000)
        assert "5123" in text and "4000" in text and "{" not in text


def test_languages_differ():
    """The French and German texts are translations, not copies of the English."""
    assert t("fr", "answer.disclaimer") != t("en", "answer.disclaimer") != t("de", "answer.disclaimer")


def test_unknown_key_is_an_error():
    """A typo in a key names the key instead of failing silently."""
    with pytest.raises(LegalbotError, match=re.escape("answer.no_such_text")):
        raw("fr", "answer.no_such_text")


@pytest.mark.parametrize(
    ("given", "expected"),
    [("fr-FR", "fr"), ("de-AT", "de"), ("DE", "de"), ("en-GB", "en"), ("it", "en"), ("pt-BR", "en"), (None, "en"),
     ("", "en")],
)
def test_normalise_lang(given, expected):
    """Telegram's language codes map to a bot language, English when unsupported."""
    assert normalise_lang(given) == expected


def test_unsupported_language_gets_english_texts():
    """A user whose Telegram is in Italian reads English rather than an error."""
    assert t("it", "answer.disclaimer") == t("en", "answer.disclaimer")

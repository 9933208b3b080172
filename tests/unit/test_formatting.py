"""Telegram HTML for answers: valid markup, under the 4096 limit, split between words."""

import pytest

from bot.core.types import Answer, Citation
from bot.telegram.formatting import LIMIT, answer_messages, split_lines
from tests.fakebotapi.html_check import parse_html

VOCAB = ["Meta", "données", "<script>", "a&b", "x > y", "R&D", '"quoted"', "l'article", "Datenschutzbehörde",
         "C-252/21", "Art. 6(1)(f)", "&amp;", "1 < 2", "«guillemets»", "training"]


def paragraph(seed: int, words: int) -> str:
    """A deterministic paragraph mixing characters that need escaping, ending with a full stop."""
    return " ".join(VOCAB[(seed * 7 + i * 3) % len(VOCAB)] for i in range(words)) + "."


def long_answer(lang: str = "en") -> Answer:
    """An answer with many paragraphs, a quote and more citations than fit comfortably in one message."""
    text = "\n\n".join(paragraph(seed, 20 + (seed * 37) % 300) for seed in range(40))
    citations = tuple(
        Citation(f"gdpr/art-{n}", f"GDPR Art. {n} <{n}> & co", f"https://example.org/law?art={n}&lang={lang}")
        for n in range(1, 21)
    )
    return Answer(text=text, citations=citations, lang=lang, in_scope=True, quote=citations[0],
                  quote_text="The data subject shall have the right to object <at any time> & for free.",
                  suggest_flow="object")


def plain_words(messages: list[str]) -> list[str]:
    """Words of the messages as the user sees them (entities decoded, tags removed)."""
    return " ".join(parse_html(m, strict=True).text for m in messages).split()


@pytest.mark.parametrize("lang", ["en", "fr", "de"])
def test_long_answer_gives_valid_messages_under_the_limit(lang):
    """Every message is accepted by Telegram's HTML parser and fits in 4096 characters."""
    messages = answer_messages(long_answer(lang))
    assert len(messages) > 1
    for message in messages:
        assert len(message) <= 4096
        parsed = parse_html(message, strict=True)
        assert 0 < parsed.length <= 4096


def test_long_answer_keeps_every_word_whole_and_in_order():
    """Joining the messages gives back the answer's words: none cut, lost or reordered."""
    answer = long_answer()
    words = plain_words(answer_messages(answer))
    original = answer.text.split()
    assert words[: len(original)] == original


def test_escaped_characters_reach_the_user_literally():
    """'<script>', 'a&b' and '&amp;' are shown as typed, not interpreted."""
    text = " ".join(plain_words(answer_messages(long_answer())))
    for token in ("<script>", "a&b", "x > y", "&amp;", "1 < 2", '"quoted"', "l'article"):
        assert token in text


def test_citation_links_survive_with_their_query_strings():
    """Each source is a link to its exact URL (the '&' in the query string intact)."""
    answer = long_answer()
    urls = [e.get("url") for m in answer_messages(answer) for e in parse_html(m, strict=True).entities]
    for citation in answer.citations:
        assert citation.url in urls
    text = " ".join(parse_html(m, strict=True).text for m in answer_messages(answer))
    assert "GDPR Art. 20 <20> & co" in text


def test_short_answer_is_one_message():
    """A normal answer is not split needlessly."""
    answer = Answer(text="Use the form. Then wait for the email.", lang="en", in_scope=True,
                    citations=(Citation("faq/a", "FAQ: A", "https://example.org/a"),))
    messages = answer_messages(answer)
    assert len(messages) == 1
    assert parse_html(messages[0], strict=True).text.startswith("Use the form. Then wait for the email.")


def test_ten_thousand_character_paragraph_is_split_at_sentences():
    """One huge paragraph of short sentences is split after full stops."""
    sentences = [f"Sentence {i} says that Meta & co must respect <Art. 21>." for i in range(200)]
    text = " ".join(sentences)
    assert len(text) > 10_000
    messages = answer_messages(Answer(text=text, citations=(), lang="en", in_scope=True))
    assert len(messages) >= 3
    for message in messages:
        assert len(message) <= LIMIT
        assert parse_html(message, strict=True).text.endswith(".")
    assert plain_words(messages) == text.split()


def test_ten_thousand_character_sentence_is_split_between_words():
    """Without any full stop, the split still falls between words."""
    words = [f"mot{i}" for i in range(2000)]
    text = " ".join(words)
    assert len(text) > 10_000
    messages = answer_messages(Answer(text=text, citations=(), lang="fr", in_scope=True))
    assert len(messages) >= 3
    assert all(len(m) <= LIMIT for m in messages)
    assert plain_words(messages) == words


def test_over_long_line_is_split_not_cut():
    """A plain line longer than the limit is broken at sentences: every character reaches the user, under the limit."""
    line = " ".join(f"Step {i} of the walkthrough explains what to do next." for i in range(120))
    text = f"Title\n{line}\nLast line"
    assert len(line) > LIMIT
    parts = split_lines(text)
    assert len(parts) >= 2
    assert all(len(part) <= LIMIT for part in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())  # only the breaking spaces and newlines go

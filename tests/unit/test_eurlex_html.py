"""The EUR-Lex HTML GDPR parser (current and 2016 markup) against the Formex parser, article by article."""

import re

import pytest
from _corpus import corpus_dir

from bot.core.types import Document, base_id
from ingest.eurlex_html import parse_gdpr_html
from ingest.formex import parse_gdpr_formex

HTML_FILES = ("CELEX_32016R0679_EN_TXT.html", "L_2016119EN.01000101_convex6.7.1_2016.html")
# Articles where HTML and Formex may differ for a real reason, with the reason. None do today: all 99 agree.
KNOWN_DIFFERENCES: dict[str, str] = {}
# What the 2018 corrigendum changed in the English text (the HTML is the 2016 text without it).
CORRIGENDUM_EN = {"gdpr/art-37", "gdpr/art-41", "gdpr/art-42", "gdpr/art-43", "gdpr/art-57", "gdpr/art-64",
                  "gdpr/art-65", "gdpr/art-69", "gdpr/art-70", "gdpr/recital-71"}


def normalise(text: str) -> str:
    """Compare texts modulo whitespace, quote characters and the character of dash bullets."""
    text = re.sub(r"[‘’‚“”„«»\"']", "'", text)
    text = re.sub(r"(?m)^[—–-] ", "- ", text)
    return re.sub(r"\s+", " ", text).strip()


def grouped(doc: Document) -> dict[str, dict[str, str]]:
    """Map each article or recital id to {passage id: normalised text}."""
    out: dict[str, dict[str, str]] = {}
    for p in doc.passages:
        out.setdefault(base_id(p.source_id), {})[p.source_id] = normalise(p.text)
    return out


@pytest.fixture(scope="module")
def formex_original() -> Document:
    return parse_gdpr_formex(corpus_dir() / "gdpr" / "formex" / "original" / "L_2016119EN.01000101.xml", "en")


@pytest.fixture(scope="module", params=HTML_FILES)
def html(request: pytest.FixtureRequest) -> Document:
    return parse_gdpr_html(corpus_dir() / "gdpr" / "eurlex_html" / request.param)


def test_structure(html: Document) -> None:
    ids = [p.source_id for p in html.passages]
    assert len(ids) == len(set(ids)) == 562
    assert {base_id(i) for i in ids if "/art-" in i} == {f"gdpr/art-{n}" for n in range(1, 100)}
    assert [i for i in ids if "recital" in i] == [f"gdpr/recital-{n}" for n in range(1, 174)]
    assert html.doc_id == "gdpr@en"
    assert {(p.lang, p.kind, p.date) for p in html.passages} == {("en", "law", "2016-04-27")}


def test_every_article_agrees_with_the_formex_original(html: Document, formex_original: Document) -> None:
    ours, theirs = grouped(html), grouped(formex_original)
    articles = [f"gdpr/art-{n}" for n in range(1, 100)]
    differing = {a for a in articles if ours[a] != theirs[a]}  # same paragraph ids and the same texts
    assert differing == set(KNOWN_DIFFERENCES)
    assert len(articles) - len(differing) == 99
    assert [r for r in theirs if "recital" in r and ours[r] != theirs[r]] == []


def test_titles_labels_and_links_agree(html: Document, formex_original: Document) -> None:
    strip = lambda d: [(p.source_id, p.title, p.label, p.url) for p in d.passages]  # noqa: E731
    assert strip(html) == strip(formex_original)


def test_texts_agree_even_without_normalising_quotes_or_dashes(html: Document, formex_original: Document) -> None:
    squash = lambda d: [re.sub(r"\s+", " ", p.text) for p in d.passages]  # noqa: E731
    assert squash(html) == squash(formex_original)


def test_the_comparison_sees_the_corrigendum(html: Document) -> None:
    """Against the corrected consolidated text, exactly the corrigendum's articles must differ."""
    path = corpus_dir() / "gdpr" / "formex" / "consolidated" / "gdpr-consolidated-with-corrected-preamble-en.xml"
    ours, corrected = grouped(html), grouped(parse_gdpr_formex(path, "en"))
    assert {k for k in ours if ours[k] != corrected[k]} == CORRIGENDUM_EN


def test_footnote_calls_and_numbering_are_removed(html: Document) -> None:
    passages = {p.source_id: p.text for p in html.passages}
    assert passages["gdpr/recital-3"].startswith("Directive 95/46/EC of the European Parliament and of the Council seeks")
    assert passages["gdpr/art-21#1"].startswith("The data subject shall have the right to object")
    assert passages["gdpr/art-4"].splitlines()[1].startswith("(1) ‘personal data’ means any information")
    assert "10 000 000 EUR" in re.sub(r"\s+", " ", passages["gdpr/art-83#4"])

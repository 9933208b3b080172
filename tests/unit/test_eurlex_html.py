"""The EUR-Lex HTML GDPR parser (current and 2016 markup) against the Formex parser, article by article."""

import re
from pathlib import Path

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
    # The OJ prints "Council (4) seeks": the call "(4)" goes, as Formex NOTE elements do.
    assert "of the Council seeks to harmonise" in passages["gdpr/recital-3"]
    assert passages["gdpr/art-21#1"].startswith("The data subject shall have the right to object")
    assert passages["gdpr/art-4"].splitlines()[1].startswith("(1) ‘personal data’ means any information")
    assert "10 000 000 EUR" in re.sub(r"\s+", " ", passages["gdpr/art-83#4"])


def test_only_the_next_number_opens_a_paragraph(tmp_path: Path) -> None:
    """Legacy markup has no paragraph containers: "3." out of sequence is text, not paragraph 3."""
    page = tmp_path / "act.html"
    nbsp = "\u00a0" * 3
    page.write_text(
        '<html><body><p class="doc-ti">of 27 April 2016</p><p class="ti-art">Article 1</p>'
        f'<p class="sti-art">Subject-matter</p><p class="normal">1.{nbsp}First.</p>'
        f'<p class="normal">3.{nbsp}Quoted text, not a paragraph.</p><p class="normal">2.{nbsp}Second.</p>'
        '<p class="final">Done at Brussels.</p></body></html>',
        encoding="utf-8",
    )
    passages = parse_gdpr_html(page).passages
    assert [(p.source_id, p.title, p.text) for p in passages] == [
        ("gdpr/art-1#1", "Subject-matter", "First.\n3. Quoted text, not a paragraph."),
        ("gdpr/art-1#2", "Subject-matter", "Second."),
    ]

"""The Formex GDPR parser against the official XML in the shared corpus (consolidated and OJ original)."""

import json
import re
from pathlib import Path

import pytest
from _corpus import corpus_dir

from bot.core.types import Document, base_id
from ingest.formex import parse_gdpr_formex

LANGS = ("en", "fr", "de")
# Articles the OJ prints without numbered paragraphs: one passage each, id without a fragment.
UNNUMBERED = {4, 10, 16, 19, 29, 31, 44, 48, 50, 59, 63, 67, 86, 87, 95, 96, 98}


def consolidated(lang: str) -> Path:
    return corpus_dir() / "gdpr" / "formex" / "consolidated" / f"gdpr-consolidated-with-corrected-preamble-{lang}.xml"


def original(lang: str) -> Path:
    return corpus_dir() / "gdpr" / "formex" / "original" / f"L_2016119{lang.upper()}.01000101.xml"


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    return {lang: parse_gdpr_formex(consolidated(lang), lang) for lang in LANGS}


def by_id(doc: Document) -> dict:
    return {p.source_id: p for p in doc.passages}


@pytest.mark.parametrize("lang", LANGS)
def test_99_articles_and_173_recitals(docs: dict[str, Document], lang: str) -> None:
    doc = docs[lang]
    ids = [p.source_id for p in doc.passages]
    assert len(ids) == len(set(ids)) == 562  # 389 article paragraphs/articles + 173 recitals
    articles = {base_id(i) for i in ids if i.startswith("gdpr/art-")}
    assert articles == {f"gdpr/art-{n}" for n in range(1, 100)}
    assert [i for i in ids if "recital" in i] == [f"gdpr/recital-{n}" for n in range(1, 174)]
    assert {i for i in ids if "#" not in i and "/art-" in i} == {f"gdpr/art-{n}" for n in UNNUMBERED}
    assert doc.doc_id == f"gdpr@{lang}"
    assert {(p.lang, p.kind, p.date) for p in doc.passages} == {(lang, "law", "2016-04-27")}
    assert all(p.text.strip() and "  " not in p.text for p in doc.passages)


@pytest.mark.parametrize(
    ("lang", "title", "start", "label"),
    [("en", "Right to object", "The data subject shall have the right to object", "GDPR Art. 21(1)"),
     ("fr", "Droit d'opposition", "La personne concernée a le droit de s'opposer", "RGPD, art. 21, § 1"),
     ("de", "Widerspruchsrecht", "Die betroffene Person hat das Recht", "DSGVO Art. 21 Abs. 1")],
)
def test_article_21_paragraph_1(docs: dict[str, Document], lang: str, title: str, start: str, label: str) -> None:
    passage = by_id(docs[lang])["gdpr/art-21#1"]
    assert (passage.title, passage.label) == (title, label)
    assert passage.text.startswith(start)
    assert passage.url.endswith(f"/{lang.upper()}/TXT/HTML/?uri=CELEX:32016R0679#art_21")
    assert [p.source_id for p in docs[lang].passages if base_id(p.source_id) == "gdpr/art-21"] == [
        f"gdpr/art-21#{n}" for n in range(1, 7)
    ]


def test_points_and_dashes_are_lines_of_their_paragraph(docs: dict[str, Document]) -> None:
    en, fr = by_id(docs["en"]), by_id(docs["fr"])
    lines = en["gdpr/art-12#5"].text.splitlines()
    assert lines[0].startswith("Information provided under Articles 13 and 14")
    assert lines[1].startswith("(a) charge a reasonable fee")
    assert lines[2] == "(b) refuse to act on the request."
    assert lines[3].startswith("The controller shall bear the burden")  # second subparagraph after the points
    assert fr["gdpr/art-12#5"].text.splitlines()[1].startswith("a) exiger le paiement de frais raisonnables")
    assert en["gdpr/art-53#1"].text.splitlines()[1:] == [
        "— their parliament;", "— their government;", "— their head of State; or",
        "— an independent body entrusted with the appointment under Member State law.",
    ]
    # A point with its own sub-points (Art. 4(16) "main establishment") keeps every level on its own line.
    art4 = en["gdpr/art-4"].text.splitlines()
    i = art4.index("(16) ‘main establishment’ means:")
    assert art4[i + 1].startswith("(a) as regards a controller with establishments in more than one Member State")
    assert art4[-1].startswith("(26) ‘international organisation’ means")


@pytest.mark.parametrize(("lang", "quoted"), [("en", "(the ‘Charter’)"), ("fr", "«Charte»"), ("de", "„Charta“")])
def test_quote_marks_come_from_their_code(docs: dict[str, Document], lang: str, quoted: str) -> None:
    assert quoted in by_id(docs[lang])["gdpr/recital-1"].text


@pytest.mark.parametrize("lang", LANGS)
def test_footnotes_are_dropped_and_amounts_printed_as_in_the_oj(docs: dict[str, Document], lang: str) -> None:
    passages = by_id(docs[lang])
    assert not any(re.search(r"\b(OJ|ABl\.|JO) [LC] \d+", p.text) for p in docs[lang].passages)
    assert "1995" not in passages["gdpr/recital-3"].text  # the footnote cites Directive 95/46 of 24.10.1995
    assert "10 000 000 EUR" in passages["gdpr/art-83#4"].text
    assert "20 000 000 EUR" in passages["gdpr/art-83#5"].text


@pytest.mark.parametrize("lang", LANGS)
def test_agrees_with_the_structured_json_conversion(docs: dict[str, Document], lang: str) -> None:
    """gdpr/structured/ was made independently from the same XML: every text and title must match."""
    data = json.loads((corpus_dir() / "gdpr" / "structured" / f"gdpr_{lang}.json").read_text(encoding="utf-8"))
    expected, titles = {}, {}
    for article in data["articles"]:
        titles[f"gdpr/art-{article['number']}"] = article["title"]
        paragraphs = article["paragraphs"]
        if paragraphs[0]["number"] is None:
            expected[f"gdpr/art-{article['number']}"] = "\n".join(p["text"] for p in paragraphs)
        else:
            expected.update({f"gdpr/art-{article['number']}#{p['number']}": p["text"] for p in paragraphs})
    expected.update({f"gdpr/recital-{r['number']}": r["text"] for r in data["recitals"]})
    passages = by_id(docs[lang])
    assert set(passages) == set(expected)
    # Compared without whitespace, as PROVENANCE did: the JSON prints FT numbers as "10000000", we as "10 000 000".
    squash = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    assert [k for k, text in expected.items() if squash(passages[k].text) != squash(text)] == []
    assert [k for k, title in titles.items() if passages.get(k, passages.get(f"{k}#1")).title != title] == []


@pytest.mark.parametrize("lang", LANGS)
def test_original_oj_file_parses_to_the_same_structure(docs: dict[str, Document], lang: str) -> None:
    doc = parse_gdpr_formex(original(lang), lang)
    assert [p.source_id for p in doc.passages] == [p.source_id for p in docs[lang].passages]


def test_consolidated_text_has_the_2018_corrigendum_and_the_original_not() -> None:
    removed = "The Board shall collate all certification mechanisms and data protection seals in a register"
    assert removed in by_id(parse_gdpr_formex(original("en"), "en"))["gdpr/art-43#6"].text
    assert removed not in by_id(parse_gdpr_formex(consolidated("en"), "en"))["gdpr/art-43#6"].text


def test_a_file_in_another_language_is_refused() -> None:
    with pytest.raises(ValueError, match="is in 'fr', not 'en'"):
        parse_gdpr_formex(consolidated("fr"), "en")

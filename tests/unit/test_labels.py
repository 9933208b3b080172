"""Labels, links and dates for citation ids in English, French and German."""

import pytest

from bot.core.labels import case_celex, case_id, case_number, label_for, news_label, parse_date, url_for

LABELS = [
    ("gdpr/art-21#1", "en", "", "GDPR Art. 21(1)"),
    ("gdpr/art-21#1", "fr", "", "RGPD, art. 21, § 1"),
    ("gdpr/art-21#1", "de", "", "DSGVO Art. 21 Abs. 1"),
    ("gdpr/art-21", "en", "", "GDPR Art. 21"),
    ("gdpr/art-21", "fr", "", "RGPD, art. 21"),
    ("gdpr/art-21", "de", "", "DSGVO Art. 21"),
    ("gdpr/recital-47", "en", "", "GDPR Recital 47"),
    ("gdpr/recital-47", "fr", "", "RGPD, considérant 47"),
    ("gdpr/recital-47", "de", "", "DSGVO Erwägungsgrund 47"),
    ("cjeu/C-252-21#para-118", "en", "Meta Platforms", "CJEU C-252/21 Meta Platforms, para. 118"),
    ("cjeu/C-252-21#para-118", "fr", "Meta Platforms", "CJUE C-252/21 Meta Platforms, pt 118"),
    ("cjeu/C-252-21#para-118", "de", "Meta Platforms", "EuGH C-252/21 Meta Platforms, Rn. 118"),
    ("cjeu/C-252-21#operative", "en", "Meta Platforms", "CJEU C-252/21 Meta Platforms, operative part"),
    ("cjeu/C-252-21#operative", "fr", "Meta Platforms", "CJUE C-252/21 Meta Platforms, dispositif"),
    ("cjeu/C-252-21#operative", "de", "Meta Platforms", "EuGH C-252/21 Meta Platforms, Tenor"),
    ("cjeu/C-252-21#operative-2", "en", "Meta Platforms", "CJEU C-252/21 Meta Platforms, operative part, point 2"),
    ("cjeu/C-252-21#operative-2", "de", "Meta Platforms", "EuGH C-252/21 Meta Platforms, Tenor, Nr. 2"),
    ("cjeu/C-252-21", "en", "Meta Platforms", "CJEU C-252/21 Meta Platforms"),
    ("cjeu/C-40-17", "fr", "", "CJUE C-40/17"),
    ("rad/art-9", "en", "", "Directive (EU) 2020/1828 Art. 9"),
    ("rad/art-9", "fr", "", "Directive (UE) 2020/1828, art. 9"),
    ("rad/art-9", "de", "", "Richtlinie (EU) 2020/1828 Art. 9"),
    ("rad/art-9#2", "de", "", "Richtlinie (EU) 2020/1828 Art. 9 Abs. 2"),
]


@pytest.mark.parametrize(("source_id", "lang", "short", "expected"), LABELS)
def test_label_for(source_id: str, lang: str, short: str, expected: str) -> None:
    assert label_for(source_id, lang, short) == expected


URLS = [
    ("gdpr/art-21#1", "en", "https://eur-lex.europa.eu/legal-content/EN/TXT/HTML/?uri=CELEX:32016R0679#art_21"),
    ("gdpr/art-21", "de", "https://eur-lex.europa.eu/legal-content/DE/TXT/HTML/?uri=CELEX:32016R0679#art_21"),
    ("gdpr/recital-47", "fr", "https://eur-lex.europa.eu/legal-content/FR/TXT/HTML/?uri=CELEX:32016R0679#rct_47"),
    ("cjeu/C-252-21", "en", "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:62021CJ0252"),
    ("cjeu/C-252-21#para-118", "fr",
     "https://eur-lex.europa.eu/legal-content/FR/TXT/?uri=CELEX:62021CJ0252#point118"),
    ("cjeu/C-252-21#operative-1", "de", "https://eur-lex.europa.eu/legal-content/DE/TXT/?uri=CELEX:62021CJ0252"),
    ("rad/art-9", "en", "https://eur-lex.europa.eu/legal-content/EN/TXT/HTML/?uri=CELEX:32020L1828#art_9"),
]


@pytest.mark.parametrize(("source_id", "lang", "expected"), URLS)
def test_url_for(source_id: str, lang: str, expected: str) -> None:
    assert url_for(source_id, lang) == expected


@pytest.mark.parametrize(
    ("number", "celex"),
    [("C-252/21", "62021CJ0252"), ("C‑311/18", "62018CJ0311"), ("C-40/17", "62017CJ0040"),
     ("C-131/12", "62012CJ0131"), ("C-6/64", "61964CJ0006")],
)
def test_case_numbers_ids_and_celex(number: str, celex: str) -> None:
    source_id = case_id(number)  # the second one is written with a non-breaking hyphen, as the Court does
    assert case_celex(source_id) == celex
    assert case_number(source_id + "#para-3") == number.replace("\u2011", "-")


@pytest.mark.parametrize(
    "bad_id", ["gdpr/art-21#", "gdpr/article-21", "cjeu/C-252-21#para", "cjeu/C-252-21#points-1", "guide/x", ""]
)
def test_unknown_ids_fail_clearly(bad_id: str) -> None:
    with pytest.raises(ValueError, match="citation id"):
        label_for(bad_id, "en")


def test_unknown_language_and_wrong_kind_fail_clearly() -> None:
    with pytest.raises(ValueError, match="unsupported language 'es'"):
        label_for("gdpr/art-21", "es")
    with pytest.raises(ValueError, match="not a case id"):
        case_celex("gdpr/art-21")
    with pytest.raises(ValueError, match="not a case number"):
        case_id("Case 252/21")


def test_news_label_uses_the_language_and_a_dotted_date() -> None:
    title = "Données personnelles et IA : NOYB menace Meta d'une action collective"
    assert news_label(title, "2025-05-14", "fr") == f"Presse: {title} (14.05.2025)"
    assert news_label("Headline", "2025-05-14", "en") == "Press: Headline (14.05.2025)"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [("4 July 2023 (*1)", "en", "2023-07-04"), ("of 27 April 2016", "en", "2016-04-27"),
     ("du 1er mai 2025", "fr", "2025-05-01"), ("vom 27. April 2016", "de", "2016-04-27"),
     ("le 14 décembre 2023", "fr", "2023-12-14"), ("no date here", "en", "")],
)
def test_parse_date(text: str, lang: str, expected: str) -> None:
    assert parse_date(text, lang) == expected

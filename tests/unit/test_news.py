"""The press-capture parser: furniture removed by general rules, article text kept whole, sized passages."""

import re
from pathlib import Path

import pytest
from _corpus import corpus_dir

from bot.core.types import Document
from ingest.news import parse_news_capture

NAME = "noyb-meta-ai-training-2025-05-14.fr.txt"
TITLE = "Données personnelles et IA\u00a0: NOYB menace Meta d'une action collective"
FURNITURE_LINES = ("Recherche", "Lecture", "4 min", "Imprimer", "© DR", "S'abonner", "au magazine", "Se connecter")
FURNITURE_TEXT = ("En ce moment", "Getting your Trinity Audio player ready", "Sur le même thème", "Voir tous",
                  "Livres Blancs", "Vos prochains événements", "Retour haut de page", "OSZAR", "Publié par")


@pytest.fixture(scope="module")
def capture() -> Path:
    return corpus_dir() / "news" / NAME


@pytest.fixture(scope="module")
def doc(capture: Path) -> Document:
    return parse_news_capture(capture)


def test_no_furniture_survives(doc: Document) -> None:
    lines = {line.strip() for p in doc.passages for line in p.text.splitlines()}
    assert not lines & set(FURNITURE_LINES)
    text = "\n".join(p.text for p in doc.passages)
    assert [f for f in FURNITURE_TEXT if f in text] == []
    assert TITLE not in text  # the headline (and its repeat as an image caption) is the title, not body text


def test_key_sentences_are_kept(doc: Document) -> None:
    text = " ".join(p.text for p in doc.passages)
    for sentence in (
        "NOYB est passé à l'action en envoyant, ce mercredi, une lettre de \"cessation et d'abstention\" à Meta.",
        "fixe au 21 mai la date limite pour une réponse de Meta à sa lettre.",
        "Selon NOYB, cette utilisation devrait débuter à partir du 27 mai.",
        "plus de 400 millions d'utilisateurs européens de Meta",
        "NYOB propose des alternatives conformes au RGPD",  # the subheading stays with its section
    ):
        assert sentence in text


def test_all_article_text_is_kept_in_order(doc: Document, capture: Path) -> None:
    """Everything between the audio widget and "Sur le même thème", plus the standfirst, and nothing else."""
    raw = [line.strip() for line in capture.read_text(encoding="utf-8").splitlines() if line.strip()]
    body = raw[raw.index("Getting your Trinity Audio player ready...") + 1 : raw.index("Sur le même thème")]
    standfirst = raw[raw.index(TITLE) + 1]
    assert [line for p in doc.passages for line in p.text.splitlines()] == [standfirst, *body]


def test_passages_and_their_metadata(doc: Document) -> None:
    slug = "noyb-meta-ai-training-2025-05-14"
    assert doc.doc_id == f"news/{slug}@fr"
    assert [p.source_id for p in doc.passages] == [f"news/{slug}#p{i}" for i in range(1, len(doc.passages) + 1)]
    assert len(doc.passages) >= 4
    assert all(60 <= len(p.text.split()) <= 200 for p in doc.passages)
    assert {(p.kind, p.lang, p.date, p.title, p.url) for p in doc.passages} == {
        ("news", "fr", "2025-05-14", TITLE, "")
    }
    assert doc.passages[0].label == f"Presse: {TITLE} (14.05.2025)"
    assert parse_news_capture(corpus_dir() / "news" / NAME, slug="other").passages[0].source_id == "news/other#p1"


def test_rules_are_general_not_tied_to_one_page(tmp_path: Path) -> None:
    page = tmp_path / "some-outlet-story-2024-02-03.en.txt"
    sentence = "The regulator opened an investigation into the processing of personal data for training. "
    page.write_text(
        "\n".join([
            "Search", "Menu Menu", "Regulator opens inquiry into AI training data", "Published by A. Writer on",
            "  • Share", "3 min read", "Regulator opens inquiry into AI training data", "© Getty",
            sentence * 5, "Data protection", "What happens next for the company", sentence * 6, "OSZAR »",
            "Read more", "Other story you might like",
        ]),
        encoding="utf-8",
    )
    doc = parse_news_capture(page)
    assert doc.passages[0].title == "Regulator opens inquiry into AI training data"
    assert doc.passages[0].label == "Press: Regulator opens inquiry into AI training data (03.02.2024)"
    lines = [line for p in doc.passages for line in p.text.splitlines()]
    assert lines == [(sentence * 5).strip(), "What happens next for the company", (sentence * 6).strip()]
    assert [p.source_id for p in doc.passages] == ["news/some-outlet-story-2024-02-03#p1",
                                                   "news/some-outlet-story-2024-02-03#p2"]


def test_file_name_must_carry_language_and_date(tmp_path: Path) -> None:
    for name, message in (("story.txt", "expected a file name"), ("story.en.txt", "no YYYY-MM-DD date")):
        (tmp_path / name).write_text("Some text here for the test.", encoding="utf-8")
        with pytest.raises(ValueError, match=re.escape(message)):
            parse_news_capture(tmp_path / name)

"""Explicit article, recital and case references in questions, mapped to citation ids."""

import pytest

from bot.core.references import find_references


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What does Art. 21 say?", ["gdpr/art-21"]),
        ("Que dit l'article 21 du RGPD ?", ["gdpr/art-21"]),
        ("Artikel 6 Abs. 1 lit. f DSGVO", ["gdpr/art-6#1"]),
        ("Is Art. 6(1)(f) enough for Meta?", ["gdpr/art-6#1"]),
        ("article 6 paragraphe 1", ["gdpr/art-6#1"]),
        ("Article 6 paragraph 1 GDPR", ["gdpr/art-6#1"]),
        ("Art 82 GDPR damages", ["gdpr/art-82"]),
    ],
)
def test_gdpr_articles_and_paragraphs(question, expected):
    """Articles in any of the three languages map to one id, with the paragraph when given."""
    assert find_references(question) == expected


@pytest.mark.parametrize(
    "question",
    ["C-252/21", "What did the court say in case C-252/21?", "C\u2011252/21", "C 252/21", "c-252/21"],
)
def test_case_numbers(question):
    """Case numbers with any hyphen (also the non-breaking one phones insert) or none."""
    assert find_references(question) == ["cjeu/C-252-21"]


@pytest.mark.parametrize("question", ["recital 47", "considérant 47 du RGPD", "Erwägungsgrund 47 DSGVO"])
def test_recitals_in_three_languages(question):
    """Recitals are found whether the user says recital, considérant or Erwägungsgrund."""
    assert find_references(question) == ["gdpr/recital-47"]


def test_article_of_the_directive_is_not_a_gdpr_article():
    """Art. 9 of the Representative Actions Directive is rad/art-9, not GDPR Art. 9."""
    assert find_references("What does Art. 9 of Directive 2020/1828 say?") == ["rad/art-9"]
    assert find_references("Art. 9 der Verbandsklagenrichtlinie") == ["rad/art-9"]


def test_article_without_directive_context_is_gdpr():
    """The same number without the directive named is the GDPR article."""
    assert find_references("What does Art. 9 say about health data?") == ["gdpr/art-9"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Does Planet49 apply to Meta?", "cjeu/C-673-17"),
        ("what about Schrems II?", "cjeu/C-311-18"),
        ("Schrems II ruling", "cjeu/C-311-18"),
        ("the Google Spain case", "cjeu/C-131-12"),
        ("Was hat der EuGH zur SCHUFA gesagt?", "cjeu/C-634-21"),
    ],
)
def test_named_cases(question, expected):
    """Judgments people name rather than number are recognised."""
    assert find_references(question) == [expected]


def test_schrems_ii_is_not_also_schrems_i():
    """'Schrems II' must not drag in the earlier Schrems I judgment."""
    assert "cjeu/C-362-14" not in find_references("Schrems II")
    assert find_references("the Schrems I case") == ["cjeu/C-362-14"]


def test_several_references_keep_order_without_duplicates():
    """Two distinct references both come back, in the order asked, each once."""
    refs = find_references("Art. 21 and recital 47, and again Art. 21, see C-252/21")
    assert refs == ["gdpr/art-21", "gdpr/recital-47", "cjeu/C-252-21"]


@pytest.mark.parametrize(
    "question",
    [
        "I have 2 accounts",
        "My daughter is 15 and posted 300 photos",
        "Regulation 2016/679",
        "Is this legal?",
        "",
    ],
)
def test_no_reference_in_ordinary_questions(question):
    """Numbers that are not references produce nothing."""
    assert find_references(question) == []


def test_out_of_range_numbers_are_ignored():
    """The GDPR has 99 articles and 173 recitals: higher numbers are not citations."""
    assert find_references("Art. 150") == []
    assert find_references("recital 200") == []
    assert find_references("recital 173") == ["gdpr/recital-173"]
    assert find_references("Art. 99") == ["gdpr/art-99"]
    assert find_references("Art. 0") == []

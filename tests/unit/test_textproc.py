"""Folding, tokenizing and language detection for questions in English, French and German."""

import pytest

from bot.core.textproc import detect_language, fold, tokenize


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Straße", "strasse"),
        ("DONNÉES", "donnees"),
        ("Übermittlung", "ubermittlung"),
        ("Erwägungsgrund", "erwagungsgrund"),
        ("considérant", "considerant"),
        ("Entraînement à l'IA", "entrainement a l'ia"),
    ],
)
def test_fold_lowercases_and_strips_accents(text, folded):
    """Accents, capitals and ß disappear so spelling variants meet."""
    assert fold(text) == folded


def test_accented_and_unaccented_words_give_the_same_token():
    """A user typing 'donnees' without accents finds texts that say 'données'."""
    assert tokenize("données", "fr") == tokenize("donnees", "fr") == tokenize("DONNÉES", "fr")
    assert tokenize("Löschung", "de") == tokenize("Loschung", "de")


def test_french_stop_words_are_dropped():
    """Articles and pronouns never become search terms."""
    tokens = tokenize("Les données de mon compte", "fr")
    assert len(tokens) == 2
    assert tokens == tokenize("données compte", "fr")


def test_german_stop_words_are_dropped():
    """'die', 'und', 'der' carry no topic in German."""
    assert tokenize("Die Daten und der Nutzer", "de") == tokenize("Daten Nutzer", "de")


def test_stop_words_depend_on_the_language():
    """'die' is a German article but an English word, and 'comment' is French filler but English topic."""
    assert tokenize("die", "de") == []
    assert tokenize("die", "en") != []
    assert tokenize("comment", "fr") == []
    assert tokenize("comment", "en") != []


def test_english_stop_words_are_dropped():
    """A question made only of function words yields nothing to search."""
    assert tokenize("What can I do about it?", "en") == []


def test_digits_are_kept_and_single_letters_dropped():
    """Article and paragraph numbers survive; the 'f' of 'lit. f' does not."""
    tokens = tokenize("Art. 21 Abs. 1 lit. f", "de")
    assert "21" in tokens
    assert "1" in tokens
    assert "f" not in tokens


def test_numbers_are_not_stemmed():
    """'2016' stays '2016' so regulation numbers match exactly."""
    assert "2016" in tokenize("Verordnung 2016/679", "de")
    assert "679" in tokenize("Verordnung 2016/679", "de")


@pytest.mark.parametrize(
    ("lang", "forms"),
    [
        ("de", ["Beitrag", "Beiträge"]),
        ("de", ["Kinder", "Kindes"]),
        ("fr", ["publication", "publications"]),
        ("fr", ["opposer", "oppose"]),
        ("en", ["objecting", "objection", "objected"]),
    ],
)
def test_inflections_share_a_stem(lang, forms):
    """Singular, plural and verb forms of a word find each other."""
    stems = {tuple(tokenize(form, lang)) for form in forms}
    assert len(stems) == 1
    assert stems.pop() != ()


def test_different_words_keep_different_stems():
    """Stemming does not merge unrelated German words."""
    assert tokenize("Daten", "de") != tokenize("Nutzer", "de")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Can Meta use my photos to train its AI?", "en"),
        ("How do I object?", "en"),
        ("Is it legal?", "en"),
        ("objection deadline", "en"),
        ("Meta peut-elle utiliser mes photos ?", "fr"),
        ("Comment m'opposer ?", "fr"),
        ("C'est légal ?", "fr"),
        ("délai d'opposition", "fr"),
        ("Je veux m'opposer", "fr"),
        ("Darf Meta meine Fotos nutzen?", "de"),
        ("Wie widerspreche ich?", "de"),
        ("Ist das legal?", "de"),
        ("Widerspruch Frist", "de"),
        ("Sammelklage beitreten", "de"),
    ],
)
def test_detect_language_of_short_questions(text, lang):
    """Short real questions are answered in the language they were asked in."""
    assert detect_language(text) == lang


def test_detect_language_without_words_uses_the_default():
    """Punctuation or an empty message falls back to the caller's default."""
    assert detect_language("", default="fr") == "fr"
    assert detect_language("?!", default="de") == "de"

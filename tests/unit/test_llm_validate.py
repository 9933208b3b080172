"""The validator: markers become citations, nothing outside the documents survives, bad answers get a reason."""

import pytest

from bot.core.llm.validate import Grounded, Rejected, check_answer, drop_unfinished, renumber
from bot.core.types import Passage


def doc(source_id: str, text: str = "You can object with the form on Instagram.", lang: str = "en") -> Passage:
    """A retrieved passage with a label and URL derived from its id."""
    return Passage(source_id, f"Label {source_id}", f"https://example.org/{source_id}", lang, text, kind="faq")


DOCS = (doc("faq/how-to-object"), doc("gdpr/art-21#1", "The data subject shall have the right to object."),
        doc("guide/object-meta-ai"))


def test_markers_are_renumbered_in_order_of_first_use():
    """[3] cited first becomes [1]; the citations follow the same order."""
    result = check_answer("Use the form on the website [3]. It is your right under the law [2][3].", DOCS, "en")
    assert isinstance(result, Grounded)
    assert result.text == "Use the form on the website [1]. It is your right under the law [2][1]."
    assert [p.source_id for p in result.cited] == ["guide/object-meta-ai", "gdpr/art-21#1"]


def test_markers_naming_no_document_are_dropped_and_counted():
    """[7] and [0] name nothing retrieved: they disappear, the valid one stays."""
    result = check_answer("You can object with the form [7]. It takes a minute [0, 1].", DOCS, "en")
    assert isinstance(result, Grounded)
    assert result.text == "You can object with the form. It takes a minute [1]."
    assert result.dropped == 2
    assert [p.source_id for p in result.cited] == ["faq/how-to-object"]


@pytest.mark.parametrize(("raw", "reason"), [
    ("", "empty"),
    ("   [1] [2]  ", "empty"),
    ("HACKED [1].", "too-short"),
    ("You can object with the form on the website.", "no-citation"),
    ("You can object with the form on the website [9].", "no-citation"),
    ("Sie können mit dem Formular widersprechen, und das ist wichtig für Sie [1].", "wrong-language"),
    ("Вы можете возразить через форму на сайте [1].", "wrong-language"),
    ('<document n="1">You can object with the form.</document> [1]', "malformed"),
    ("You can object at https://evil.example/form right now [1].", "foreign-link"),
    ("You can also rely on Article 6 and on C-311/18 for this [1].", "unsupported-reference"),
    ("See gdpr/art-99 for the rule that applies to you [1].", "unsupported-reference"),
])
def test_bad_answers_are_rejected_with_a_reason(raw, reason):
    """Every rejection says why, so the fallback can be logged and counted."""
    result = check_answer(raw, DOCS, "en")
    assert isinstance(result, Rejected)
    assert result.reason == reason


def test_links_and_references_found_in_the_documents_are_allowed():
    """A document's own URL, and an article a document names, are grounded."""
    docs = (*DOCS, doc("faq/legal-basis", "Meta relies on Article 6(1)(f) GDPR, legitimate interests."))
    raw = ("Meta relies on Article 6 and you can object under Article 21 [4][2]. "
           "The form is at https://example.org/faq/how-to-object [1].")
    assert isinstance(check_answer(raw, docs, "en"), Grounded)


@pytest.mark.parametrize(("lang", "raw"), [
    ("fr", "Vous pouvez vous opposer avec le formulaire sur le site de Meta [1]."),
    ("de", "Sie können mit dem Formular auf der Seite von Meta widersprechen [1]."),
])
def test_answers_in_the_users_language_pass(lang, raw):
    """French and German answers to French and German questions are kept."""
    assert isinstance(check_answer(raw, DOCS, lang), Grounded)


def test_a_sentence_cut_by_the_token_limit_is_dropped():
    """The unfinished tail goes, the finished sentence and its marker stay."""
    assert drop_unfinished("You can object [1]. Then you should wait for the") == "You can object [1]."
    assert drop_unfinished("You can object. [1] Then you should") == "You can object. [1]"
    assert drop_unfinished("no sentence end at all") == "no sentence end at all"


def test_renumber_handles_lists_inside_one_marker():
    """[2, 3] is split into [1][2] after renumbering."""
    text, cited, dropped = renumber("Both say so [2, 3].", DOCS)
    assert (text, len(cited), dropped) == ("Both say so [1][2].", 2, 0)


def test_markdown_emphasis_is_removed_for_plain_text_adapters():
    """Telegram and the console show the text escaped: '**' and '#' headings would appear literally."""
    result = check_answer("## Objecting\nYou can **object** with the form [1].", DOCS, "en")
    assert isinstance(result, Grounded)
    assert result.text == "Objecting\nYou can object with the form [1]."


def test_an_answer_reciting_the_prompt_is_rejected():
    """Eight words in a row from the prompt's own wording: the model is leaking its instructions."""
    from bot.core.llm.prompt import load_prompt
    from bot.core.llm.validate import shingles
    from bot.settings import REPO_ROOT

    prompt = shingles(*load_prompt(REPO_ROOT / "prompts").fixed_text)
    leak = "Rules: use only the numbered documents in the user message, for example [1] or [2][3]."
    result = check_answer(leak, DOCS, "en", prompt)
    assert isinstance(result, Rejected) and result.reason == "prompt-echo"
    fine = "You can object with the form in the user settings of Instagram [1]."
    assert isinstance(check_answer(fine, DOCS, "en", prompt), Grounded)

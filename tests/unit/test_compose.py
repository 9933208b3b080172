"""The extractive composer: answers built only from retrieved passages, with honest citations."""

import re

import pytest

from bot.core.compose import ExtractiveComposer, render_plain, suggest_flow, trim
from bot.core.retrieval import Retrieval
from bot.core.types import Passage

LONG = (
    "Meta announced that it will use public posts to train its AI models. "
    "You can object through a form on Facebook and on Instagram. "
    "The objection applies to future training. "
) * 20


def passage(source_id: str, kind: str, text: str = "Some text.", lang: str = "en") -> Passage:
    """A passage with a label and URL derived from its id."""
    return Passage(source_id=source_id, label=f"Label {source_id}", url=f"https://example.org/{source_id}",
                   lang=lang, text=text, kind=kind)


def retrieval(*passages: Passage, lang: str = "en") -> Retrieval:
    """A retrieval result as the retriever would hand it to the composer."""
    return Retrieval(query="How do I object?", lang=lang, passages=passages, refs=())


@pytest.mark.parametrize("limit", [80, 200, 700])
def test_trim_at_sentences_stays_within_the_limit(limit):
    """Cut after whole sentences, the lead is never longer than asked."""
    assert len(trim(LONG, limit)) <= limit


def test_trim_at_words_stays_within_the_limit():
    """Without a sentence end in reach, the word cut plus its ellipsis still fits the limit."""
    text = "word " * 200  # no full stop: the first 'sentence' is longer than any limit below
    lengths = {limit: len(trim(text, limit)) for limit in (50, 700)}
    assert all(length <= limit for limit, length in lengths.items()), lengths


@pytest.mark.parametrize("limit", [30, 75, 150, 700])
def test_trim_never_cuts_inside_a_word(limit):
    """Every word of the trimmed text is a whole word of the original."""
    words = set(LONG.split())
    kept = trim(LONG, limit).replace("…", "").split()
    assert kept
    assert all(word in words for word in kept)


def test_trim_prefers_sentence_boundaries():
    """When whole sentences fit, the cut falls after a full stop."""
    assert trim("One two three. Four five six.", 20) == "One two three."


def test_trim_leaves_short_text_alone_but_normalises_spaces():
    """Text under the limit comes back unchanged apart from collapsed whitespace."""
    assert trim("Object  now.\nThen wait.", 100) == "Object now. Then wait."


def test_answer_leads_with_our_text_and_quotes_the_law():
    """The NGO's FAQ leads; the official article is quoted; citations list both."""
    law = passage("gdpr/art-21#1", "law", "The data subject shall have the right to object.")
    faq = passage("faq/how-to-object", "faq", "Fill in Meta's objection form on Facebook and Instagram.")
    answer = ExtractiveComposer().compose(retrieval(law, faq))
    assert answer.text == "Fill in Meta's objection form on Facebook and Instagram."
    assert answer.quote is not None and answer.quote.id == "gdpr/art-21#1"
    assert answer.quote_text == "The data subject shall have the right to object."
    assert [c.id for c in answer.citations] == ["faq/how-to-object", "gdpr/art-21#1"]
    assert answer.topic == "faq/how-to-object"
    assert answer.in_scope


def test_citations_come_only_from_the_retrieval():
    """No citation id, label or link is invented."""
    given = [passage("guide/object-meta-ai#form", "guide"), passage("gdpr/art-6#1", "law"),
             passage("cjeu/C-252-21#para-117", "case"), passage("faq/object-deadline", "faq")]
    answer = ExtractiveComposer().compose(retrieval(*given))
    known = {(p.source_id, p.label, p.url) for p in given}
    assert {(c.id, c.label, c.url) for c in answer.citations} <= known
    assert answer.quote is not None and answer.quote.id in {p.source_id for p in given}


def test_one_citation_per_source_and_at_most_five():
    """Two paragraphs of one article give one citation; a long list is capped."""
    given = [passage("faq/a", "faq"), passage("gdpr/art-21#1", "law"), passage("gdpr/art-21#2", "law")]
    given += [passage(f"gdpr/art-{n}", "law") for n in (5, 6, 7, 9, 12, 13)]
    answer = ExtractiveComposer().compose(retrieval(*given))
    bases = [c.id.split("#")[0] for c in answer.citations]
    assert len(bases) == len(set(bases))
    assert bases.count("gdpr/art-21") == 1
    assert len(answer.citations) <= 5
    assert answer.citations[0].id == "faq/a"


def test_long_lead_is_trimmed_at_a_boundary():
    """A long guide section becomes a short lead ending on a full sentence."""
    answer = ExtractiveComposer().compose(retrieval(passage("guide/object-meta-ai#what", "guide", LONG)))
    assert len(answer.text) < len(LONG)
    assert answer.text.endswith(".")


def test_without_our_text_the_law_leads_and_is_not_quoted_twice():
    """With only official texts, the best one leads and another is quoted."""
    first, second = passage("gdpr/art-21", "law", "First."), passage("gdpr/art-6", "law", "Second.")
    answer = ExtractiveComposer().compose(retrieval(first, second))
    assert answer.text == "First."
    assert answer.quote is not None and answer.quote.id == "gdpr/art-6"


def test_answer_keeps_the_question_language():
    """A French retrieval gives a French answer."""
    answer = ExtractiveComposer().compose(retrieval(passage("faq/a", "faq", "Texte.", lang="fr"), lang="fr"))
    assert answer.lang == "fr"


@pytest.mark.parametrize(
    ("ids", "flow"),
    [
        (["faq/how-to-object", "gdpr/art-6"], "object"),
        (["gdpr/art-21#1", "faq/a"], "object"),
        (["guide/class-action#who-can-join", "gdpr/art-82"], "signup"),
        (["faq/cost-to-join"], "signup"),
        (["rad/art-9", "gdpr/art-80"], "signup"),
        (["gdpr/art-15", "faq/access-request"], None),
    ],
)
def test_suggest_flow(ids, flow):
    """Objection topics point to /object, class-action topics to /signup, others to nothing."""
    assert suggest_flow(passage(i, "faq") for i in ids) == flow


def test_suggest_flow_looks_only_at_the_leading_sources():
    """A class-action text in third place does not hijack an answer about access requests."""
    ids = ["gdpr/art-15", "faq/access-request", "guide/class-action#cost"]
    assert suggest_flow(passage(i, "faq") for i in ids) is None


def test_render_plain_has_answer_sources_and_disclaimer():
    """The console answer shows the text, numbered sources with links, and the disclaimer."""
    law = passage("gdpr/art-21#1", "law", "The data subject shall have the right to object.")
    faq = passage("faq/how-to-object", "faq", "Use the form.")
    answer = ExtractiveComposer().compose(retrieval(faq, law))
    text = render_plain(answer)
    assert text.startswith("Use the form.")
    assert "[1] Label faq/how-to-object — https://example.org/faq/how-to-object" in text
    assert "[2] Label gdpr/art-21#1" in text
    assert "The data subject shall have the right to object." in text
    assert re.search(r"not legal advice", text, re.IGNORECASE)
    assert "/object" in text


def test_render_plain_in_german_uses_german_disclaimer():
    """A German answer does not fall back to the English disclaimer."""
    answer = ExtractiveComposer().compose(retrieval(passage("faq/a", "faq", "Text.", lang="de"), lang="de"))
    english = render_plain(ExtractiveComposer().compose(retrieval(passage("faq/a", "faq", "Text."))))
    german = render_plain(answer)
    assert "Label faq/a" in german
    assert german.splitlines()[-1] != english.splitlines()[-1]

"""Answer scores (citation validity, lexical faithfulness) and the bench's question sample, on fixed inputs."""

from bot.core.llm.bench import percentiles, spread
from bot.core.retrieval import Retrieval
from bot.core.types import Answer, Citation, Passage
from bot.quality.answers import citations_valid, sentence_support

FAQ = Passage("faq/how-to-object", "How to object", "https://example.org/faq", "en",
              "Fill in Meta's objection form once on Facebook and once on Instagram.", kind="faq")
LAW = Passage("gdpr/art-21#1", "GDPR Art. 21(1)", "https://eur-lex.example/21", "en",
              "The data subject shall have the right to object at any time to processing of personal data.",
              kind="law")
OFFICIAL = Passage("gdpr/art-6#1", "GDPR Art. 6(1)", "https://eur-lex.example/6", "en",
                   "Processing shall be lawful only if legitimate interests apply.", kind="law")
RETRIEVAL = Retrieval("How do I object?", "en", (FAQ, LAW), (), official=OFFICIAL)


def cite(*passages: Passage) -> tuple[Citation, ...]:
    """Citations for passages."""
    return tuple(Citation(p.source_id, p.label, p.url) for p in passages)


def llm(text: str, *passages: Passage) -> Answer:
    """A generated answer citing the passages in marker order."""
    return Answer(text, cite(*passages), "en", True, mode="llm:openai", passages=RETRIEVAL.passages)


def test_citations_of_retrieved_passages_are_valid():
    """Ranked passages and the best official text both count as retrieved."""
    assert citations_valid(llm("Fill in the form on Facebook and Instagram [1].", FAQ, OFFICIAL), RETRIEVAL)


def test_a_citation_outside_retrieval_or_a_dangling_marker_is_invalid():
    """An unretrieved source, or a marker beyond the citation list, fails validity."""
    stranger = Passage("gdpr/art-99", "Art. 99", "https://x", "en", "Entry into force.")
    assert not citations_valid(llm("Fill in the form [1].", stranger), RETRIEVAL)
    assert not citations_valid(llm("Fill in the form [2].", FAQ), RETRIEVAL)
    assert not citations_valid(llm("Fill in the form."), RETRIEVAL)


def test_supported_sentences_share_words_with_their_cited_passage():
    """The first sentence repeats its passage; the second invents; a short one is not scored."""
    answer = llm("Fill in the objection form on Facebook and on Instagram [1]. "
                 "Meta pays every user five hundred euros in compensation tomorrow [2]. Yes [1].", FAQ, LAW)
    assert sentence_support(answer, RETRIEVAL) == (1, 2)


def test_a_marker_after_the_full_stop_belongs_to_its_sentence():
    """'... Instagram. [1]' is scored against passage 1, not against everything cited."""
    answer = llm("You have the right to object at any time to processing. [2] Fill in the form on Facebook. [1]",
                 FAQ, LAW)
    assert sentence_support(answer, RETRIEVAL) == (2, 2)


def test_unmarked_sentences_are_checked_against_every_cited_passage():
    """An extractive answer (no markers) is scored against all of its citations."""
    answer = Answer(FAQ.text, cite(FAQ, LAW), "en", True, passages=RETRIEVAL.passages)
    assert sentence_support(answer, RETRIEVAL) == (1, 1)


def test_the_bench_sample_alternates_languages_and_skips_refusals():
    """In-scope questions only, the languages in turn, up to the limit."""
    rows = [{"q": "a", "lang": "en", "expect": ["x"]}, {"q": "b", "lang": "en", "expect": []},
            {"q": "c", "lang": "en", "expect": ["y"]}, {"q": "d", "lang": "fr", "expect": ["z"]}]
    assert spread(rows, 3) == [("a", "en"), ("d", "fr"), ("c", "en")]
    assert spread(["plain question"], 5) == [("plain question", None)]


def test_percentiles_in_milliseconds():
    """Median and nearest-rank 95th percentile."""
    assert percentiles([0.1, 0.2, 0.3, 0.4]) == (250.0, 400.0)

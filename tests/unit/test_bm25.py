"""Okapi BM25 ranking on a tiny corpus whose order can be worked out by hand."""

import pytest

from bot.core.bm25 import BM25

CORPUS = [
    ["meta", "ai", "train", "post"],  # 0
    ["meta", "object", "form"],  # 1
    ["meta", "court", "judgment"],  # 2
    ["meta", "object", "form", "email", "confirm", "screenshot", "proof", "day", "wait", "again"],  # 3
]


@pytest.fixture
def bm25():
    """An index over the four documents above."""
    return BM25(CORPUS)


def test_rarer_term_decides_the_ranking(bm25):
    """'meta' is everywhere; 'judgment' only in document 2, so document 2 comes first."""
    assert bm25.ranked(["meta", "judgment"])[0][0] == 2


def test_rare_term_is_worth_more_than_a_common_one(bm25):
    """Inverse document frequency: 'court' (1 doc) > 'object' (2 docs) > 'meta' (4 docs)."""
    assert bm25.idf("court") > bm25.idf("object") > bm25.idf("meta") > 0


def test_longer_document_is_penalised(bm25):
    """Docs 1 and 3 both say 'object form' once; the shorter doc 1 ranks higher."""
    ranked = bm25.ranked(["object", "form"])
    assert [index for index, _ in ranked] == [1, 3]
    assert ranked[0][1] > ranked[1][1]


def test_only_matching_documents_are_scored(bm25):
    """Documents without any query token get no score at all."""
    assert set(bm25.scores(["object"])) == {1, 3}


def test_unseen_query_gives_nothing(bm25):
    """Words the corpus never contains produce an empty result, not zeros."""
    assert bm25.scores(["weather", "football"]) == {}
    assert bm25.ranked(["weather"]) == []
    assert bm25.idf("weather") == 0.0


def test_more_matching_terms_score_higher(bm25):
    """A document matching two query terms beats one matching a single term."""
    scores = bm25.scores(["ai", "train", "court"])
    assert scores[0] > scores[2]


def test_repeated_term_helps_but_saturates():
    """Saying a word three times scores higher than once, but less than three times as high."""
    index = BM25([["object", "x", "y"], ["object", "object", "object"], ["z", "w", "v"]])
    once, thrice = index.scores(["object"])[0], index.scores(["object"])[1]
    assert once < thrice < 3 * once


def test_repeating_a_query_word_changes_nothing(bm25):
    """'object object' is the same query as 'object'."""
    assert bm25.scores(["object", "object"]) == bm25.scores(["object"])


def test_ranked_is_sorted_best_first(bm25):
    """ranked() lists every matching passage, best first."""
    ranked = bm25.ranked(["meta", "object", "court"])
    assert len(ranked) >= 2
    scores = [score for _, score in ranked]
    assert scores == sorted(scores, reverse=True)


def test_empty_corpus_answers_nothing():
    """An index built before ingest runs simply finds nothing."""
    assert BM25([]).ranked(["meta"]) == []

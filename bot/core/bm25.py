"""Okapi BM25 over pre-tokenized passages, with an inverted index so a query touches only matching passages."""

from __future__ import annotations

import math
from collections import Counter, defaultdict


class BM25:
    """Scores documents for a bag of query tokens (k1 and b as in the usual Okapi defaults)."""

    def __init__(self, corpus: list[list[str]], k1: float = 1.5, b: float = 0.75) -> None:
        self.size = len(corpus)
        lengths = [len(doc) for doc in corpus]
        average = (sum(lengths) / self.size) if self.size else 1.0
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index, doc in enumerate(corpus):
            norm = k1 * (1 - b + b * lengths[index] / average)
            for token, count in Counter(doc).items():
                # Precompute the term-frequency part; a query then only sums idf * tf_part.
                postings[token].append((index, count * (k1 + 1) / (count + norm)))
        self._postings = dict(postings)
        self._idf = {
            token: math.log(1 + (self.size - len(hits) + 0.5) / (len(hits) + 0.5)) for token, hits in postings.items()
        }

    def scores(self, query: list[str]) -> dict[int, float]:
        """Scores of every document that shares at least one token with the query."""
        totals: dict[int, float] = defaultdict(float)
        for token in set(query):
            idf = self._idf.get(token)
            if idf is None:
                continue
            for index, part in self._postings[token]:
                totals[index] += idf * part
        return dict(totals)

    def ranked(self, query: list[str]) -> list[tuple[int, float]]:
        """Every matching (document index, score) pair, best first."""
        return sorted(self.scores(query).items(), key=lambda item: -item[1])

    def idf(self, token: str) -> float:
        """Inverse document frequency of a token (0 when unseen)."""
        return self._idf.get(token, 0.0)

"""Typed values that travel between ingest, retrieval, composers and adapters."""

from __future__ import annotations

from dataclasses import dataclass, field

LANGS: tuple[str, ...] = ("en", "fr", "de")


def base_id(source_id: str) -> str:
    """Return a citation id without its `#fragment` (gdpr/art-21#1 -> gdpr/art-21)."""
    return source_id.split("#", 1)[0]


@dataclass(frozen=True)
class Passage:
    """One retrievable piece of text: a paragraph, a recital, a guide section, an FAQ entry."""

    source_id: str  # canonical citation id, e.g. "gdpr/art-21#1"; the same in every language
    label: str  # human label in the passage's language, e.g. "DSGVO Art. 21 Abs. 1"
    url: str  # a link a user can open
    lang: str  # "en" | "fr" | "de"
    text: str
    title: str = ""  # heading of the containing document ("Right to object")
    kind: str = ""  # "law" | "case" (judgment) | "guide" | "faq" | "summary" (of a case) | "news" | "rad"
    date: str = ""  # ISO date of the source or of our last update
    keywords: str = ""  # other phrasings (FAQ variants): indexed for search, never shown
    refs: tuple[str, ...] = ()  # provisions our text relies on (front matter): the quote under it comes from these
    score: float = 0.0

    @property
    def key(self) -> str:
        """Unique key in the index: the id plus the language."""
        return f"{self.source_id}@{self.lang}"

    def scored(self, score: float) -> Passage:
        """A copy carrying a retrieval score; retrieval makes hundreds per question and dataclasses.replace is slow."""
        copy = object.__new__(Passage)
        copy.__dict__.update(self.__dict__)
        object.__setattr__(copy, "score", score)  # frozen: the copy is only writable here, before anyone sees it
        return copy


@dataclass(frozen=True)
class Document:
    """A whole source as ingest sees it: the unit that is replaced when it changes."""

    doc_id: str  # e.g. "gdpr@en", "cjeu/C-252-21@en", "guide/object-meta-ai@fr"
    passages: tuple[Passage, ...]
    origin: str = ""  # file path or URL it came from, for the ingest report


@dataclass(frozen=True)
class Citation:
    """A source shown to the user: id, label and link."""

    id: str
    label: str
    url: str


@dataclass(frozen=True)
class Answer:
    """What the core hands to an adapter: text, citations, language, and how it was made."""

    text: str  # the answer's body (plain text); sources, quote and notes are rendered by the adapter
    citations: tuple[Citation, ...]
    lang: str
    in_scope: bool
    mode: str = "extractive"
    quote: Citation | None = None  # a brief excerpt of the official text: label and link of its source
    quote_text: str = ""
    passages: tuple[Passage, ...] = field(default=())
    suggest_flow: str | None = None  # "object" | "signup" when a walkthrough fits the question
    topic: str = ""  # base id of the leading source, used for stats and hand-off headers
    prompt_version: str = ""
    kind: str = ""  # faq (our vetted entry) | law (the official text) | refused | unknown ("" when not decided)
    lead: str | None = None  # citation id of the source the first paragraph comes from; None when not answered
    topics: tuple[Citation, ...] = ()  # closest entries we do cover, offered when the bot cannot answer

    @property
    def answer_kind(self) -> str:
        """faq, law, refused or unknown; a staff-vetted answer counts as faq."""
        if self.kind:
            return self.kind
        if self.in_scope:
            return "faq"
        return "refused" if self.mode == "refusal" else "unknown"

    @property
    def lead_id(self) -> str | None:
        """The id of the source the first paragraph comes from, or None when the bot did not answer."""
        if not self.in_scope:
            return None
        return self.lead or self.topic or (self.citations[0].id if self.citations else None)

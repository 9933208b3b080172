"""The extractive composer: an answer built only from retrieved passages, with no language model."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

from bot.core.evidence import Evidence
from bot.core.i18n import t
from bot.core.labels import label_for
from bot.core.retrieval import Retrieval
from bot.core.types import Answer, Citation, Passage, base_id

LEAD_CHARS = 700
LAW_CHARS = 1200  # a recital or paragraph quoted as the answer: recital 26's answer on anonymous data is its end
QUOTE_CHARS = 320
MAX_CITATIONS = 5
# Sources whose topic is best served by a walkthrough; prefixes of citation ids.
FLOW_TOPICS = {
    "object": (
        "guide/object-meta-ai",
        "faq/how-to-object",
        "faq/object-",
        "faq/no-confirmation",
        "gdpr/art-21",
        "faq/right-to-object",
        "faq/no-account-photos",
    ),
    "signup": (
        "guide/class-action",
        "faq/what-is-class-action",
        "faq/who-can-join",
        "faq/cost-to-join",
        "faq/how-much-compensation",
        "faq/non-material-damage",
        "rad/",
    ),
}
_SENTENCE_END = re.compile(r"(?<=[.!?»])\s+")


class Composer(Protocol):
    """Turns a retrieval into an answer; every citation must come from the retrieval."""

    name: str

    def compose(self, retrieval: Retrieval) -> Answer:
        """Build the answer for an in-scope question."""
        ...


def trim(text: str, limit: int) -> str:
    """Cut at a sentence (or failing that, word) boundary under `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    sentences, out = _SENTENCE_END.split(text), ""
    for sentence in sentences:
        if len(out) + len(sentence) + 1 > limit:
            break
        out = f"{out} {sentence}".strip()
    return out or text[: limit - 2].rsplit(" ", 1)[0] + " …"


def citations_for(passages: Iterable[Passage]) -> tuple[Citation, ...]:
    """One citation per source, in order, capped so the user is not buried in links."""
    seen: dict[str, Citation] = {}
    for passage in passages:
        seen.setdefault(base_id(passage.source_id), Citation(passage.source_id, passage.label, passage.url))
    return tuple(seen.values())[:MAX_CITATIONS]


def suggest_flow(passages: Iterable[Passage]) -> str | None:
    """'object' or 'signup' when the leading sources are about that walkthrough."""
    for passage in list(passages)[:2]:
        for flow, prefixes in FLOW_TOPICS.items():
            if passage.source_id.startswith(prefixes):
                return flow
    return None


class ExtractiveComposer:
    """Lead from our best guide or FAQ passage, a brief quote of the best official text, and the sources."""

    name = "extractive"

    def compose(self, retrieval: Retrieval) -> Answer:
        """Assemble the answer from the decided lead and its evidence, citing nothing retrieval did not return."""
        provision = named_provision(retrieval)
        if provision:
            return self._provision_answer(retrieval, provision)
        evidence = retrieval.evidence or legacy_evidence(retrieval)
        lead, quote = evidence.lead, evidence.quote
        law = retrieval.decision is not None and retrieval.decision.kind == "law"
        if law:  # the law itself leads: say so, and never open with a "Yes" or "No" of ours
            text = f"{t(retrieval.lang, 'answer.law_intro')}\n\n{lead.label}: «{trim(lead.text, LAW_CHARS)}»"
        else:
            text = trim(lead.text, LEAD_CHARS)
        shown = [lead, *([quote] if quote else []), *evidence.cited]
        return Answer(
            text=text,
            quote=Citation(quote.source_id, quote.label, quote.url) if quote else None,
            quote_text=trim(quote.text, QUOTE_CHARS) if quote else "",
            citations=citations_for(shown),
            lang=retrieval.lang,
            in_scope=True,
            mode=self.name,
            passages=(*shown, *(p for p in retrieval.passages if p not in shown)),
            suggest_flow=suggest_flow(shown),
            topic=base_id(lead.source_id),
            kind="law" if law else "faq",
            lead=lead.source_id,
        )

    def _provision_answer(self, retrieval: Retrieval, provision: list[Passage]) -> Answer:
        """'What does Art. 6 say?': the provision's full text, then our plain-language explanation if we have one."""
        head = provision[0]
        source = base_id(head.source_id)
        label = label_for(source, head.lang)
        parts = [f"{label} — {head.title}" if head.title else label, *(p.text for p in provision)]
        ours = next((p for p in retrieval.passages if p.kind in ("faq", "guide")), None)
        if ours is not None:
            parts.append(trim(ours.text, LEAD_CHARS))
        first = Citation(source, label, head.url)
        others = [p for p in retrieval.passages if base_id(p.source_id) != source]
        return Answer(
            text="\n\n".join(parts),
            citations=(first, *citations_for(others))[:MAX_CITATIONS],
            lang=retrieval.lang,
            in_scope=True,
            mode=self.name,
            passages=retrieval.passages,
            suggest_flow=suggest_flow([head, *others]),
            topic=source,
            kind="law",
            lead=head.source_id,
        )


def legacy_evidence(retrieval: Retrieval) -> Evidence:
    """Without a decision (a bare retrieval): our best-ranked text leads and the best official text is quoted."""
    passages = retrieval.passages
    ours = [p for p in passages if p.kind in ("faq", "guide", "rad", "summary", "news")]
    lead = ours[0] if ours else passages[0]
    # The best official text, which may rank below the top k: retrieval returned it, so it may be cited.
    candidates = [retrieval.official] if retrieval.official else []
    candidates += [p for p in passages if p.kind in ("law", "case")]
    quote = next((p for p in candidates if base_id(p.source_id) != base_id(lead.source_id)), None)
    return Evidence(lead, quote, tuple(p for p in passages if p is not lead and p is not quote))


def named_provision(retrieval: Retrieval) -> list[Passage]:
    """The paragraphs of the first GDPR article or recital the question names explicitly, else nothing."""
    law = [p for p in retrieval.named if p.kind == "law"]
    if not law:
        return []
    first = base_id(law[0].source_id)
    return [p for p in law if base_id(p.source_id) == first]


def render_plain(answer: Answer) -> str:
    """Answer, sources, disclaimer and pointer as plain text (console, CLI, JSON)."""
    if not answer.citations:
        topics = [f"- {c.label}" for c in answer.topics]
        return "\n".join([answer.text, *topics, *([t(answer.lang, "answer.unknown_human")] if topics else [])])
    lines = [answer.text]
    if answer.quote:
        lines += ["", t(answer.lang, "answer.quote_intro", label=answer.quote.label), f"«{answer.quote_text}»"]
    lines += ["", f"{t(answer.lang, 'answer.sources')}:"]
    lines += [f"[{i}] {c.label}" + (f" — {c.url}" if c.url else "") for i, c in enumerate(answer.citations, 1)]
    lines += ["", t(answer.lang, "answer.disclaimer")]
    if answer.suggest_flow:
        lines.append(t(answer.lang, f"answer.pointer_{answer.suggest_flow}"))
    return "\n".join(lines)

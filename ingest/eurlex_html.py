"""EUR-Lex HTML of the GDPR (current `oj-*` markup and the legacy 2016 markup) -> a Document of Passages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import lxml.html
from lxml.html import HtmlElement

from bot.core.labels import label_for, parse_date, url_for
from bot.core.types import Document, Passage

# Classes that end an article in the legacy markup, where articles are not wrapped in containers.
_ARTICLE_END = frozenset({"ti-art", "ti-section-1", "ti-section-2", "final", "signatory", "note", "doc-end"})
_PARAGRAPH = re.compile(r"^(\d+)\.\s+(.*)$", re.DOTALL)  # "1.   The data subject ..." (no-break spaces)
_RECITAL = re.compile(r"^\((\d+)\)$")


def _classes(el: HtmlElement) -> set[str]:
    """Return an element's classes with the `oj-` prefix of the current markup removed."""
    return {c.removeprefix("oj-") for c in (el.get("class") or "").split()}


def _clean(text: str) -> str:
    """Collapse runs of whitespace (including no-break spaces) into one space."""
    return re.sub(r"\s+", " ", text).strip()


def _drop_note_calls(root: HtmlElement) -> None:
    """Remove footnote calls like "(4)" from the running text, as the Formex parser drops NOTE."""
    for a in root.xpath('//a[starts-with(@id, "ntc")]'):
        # "Council (4)," must become "Council,", not "Council ,".
        if (a.tail or "").lstrip()[:1] in tuple(",.;:)"):
            prev = a.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "").rstrip()
            else:
                a.getparent().text = (a.getparent().text or "").rstrip()
        a.drop_tree()


def _lines(el: HtmlElement) -> list[str]:
    """Render a block as text lines: one per paragraph, one per list item with its "(a)" or dash in front."""
    if el.tag == "p":
        text = _clean(el.text_content())
        return [text] if text else []
    if el.tag == "table":
        lines: list[str] = []
        for row in el.xpath("./tr | ./tbody/tr"):
            cells = row.findall("td")
            body = [line for child in cells[-1] for line in _lines(child)]
            mark = _clean(cells[0].text_content()) if len(cells) > 1 else ""
            if mark and body:
                body[0] = f"{mark} {body[0]}"
            lines.extend(body)
        return lines
    return [line for child in el for line in _lines(child)]


def _blocks(first: HtmlElement) -> Iterator[HtmlElement]:
    """Yield an article's blocks after its heading: its container's content, or siblings up to the next heading."""
    container = first.getparent()
    legacy = "eli-subdivision" not in _classes(container)
    for el in first.itersiblings():
        if legacy and (_classes(el) & _ARTICLE_END or el.tag == "hr"):
            return
        yield from _flatten(el)


def _flatten(el: HtmlElement) -> Iterator[HtmlElement]:
    """Descend into plain containers (ELI divs, paragraph divs) and yield the p and table blocks inside."""
    if el.tag == "div":
        for child in el:
            yield from _flatten(child)
    elif el.tag in ("p", "table"):
        yield el


def _law(source_id: str, lang: str, text: str, title: str, day: str) -> Passage:
    """Build one GDPR passage with its label and link."""
    return Passage(source_id=source_id, label=label_for(source_id, lang), url=url_for(source_id, lang),
                   lang=lang, text=text, title=title, kind="law", date=day)


def _article(heading: HtmlElement, lang: str, day: str) -> list[Passage]:
    """Group an article's blocks into numbered paragraphs (1., 2., ...) or keep them as one passage."""
    number = int(re.search(r"\d+", heading.text_content()).group())
    title = ""
    groups: list[tuple[str, list[str]]] = [("", [])]  # ("" = text before any numbered paragraph)
    for block in _blocks(heading):
        if "sti-art" in _classes(block):
            title = _clean(block.text_content())
            continue
        lines = _lines(block)
        m = _PARAGRAPH.match(lines[0]) if block.tag == "p" and lines else None
        # Only the next number in sequence opens a paragraph, so a sentence starting "2. " cannot.
        if m and int(m[1]) == len(groups):
            groups.append((m[1], [m[2]]))
        else:
            groups[-1][1].extend(lines)
    base = f"gdpr/art-{number}"
    if len(groups) == 1:
        return [_law(base, lang, "\n".join(groups[0][1]), title, day)]
    if groups[0][1]:
        raise ValueError(f"{base}: text before paragraph 1: {groups[0][1][0][:60]!r}")
    return [_law(f"{base}#{n}", lang, "\n".join(lines), title, day) for n, lines in groups[1:]]


def _recitals(body: HtmlElement, lang: str, day: str) -> Iterator[Passage]:
    """Yield the recitals: top-level tables "(n) | text" before the first article, numbered 1, 2, ..."""
    expected = 1
    for el in body.iter("p", "table"):
        if el.tag == "p" and "ti-art" in _classes(el):
            return
        if el.tag != "table" or el.xpath("ancestor::td"):
            continue
        rows = el.xpath("./tr | ./tbody/tr")
        cells = rows[0].findall("td") if len(rows) == 1 else []
        m = _RECITAL.match(_clean(cells[0].text_content())) if len(cells) == 2 else None
        if m and int(m[1]) == expected:
            text = "\n".join(line for child in cells[1] for line in _lines(child))
            yield _law(f"gdpr/recital-{expected}", lang, text, "", day)
            expected += 1


def parse_gdpr_html(path: Path, lang: str = "en") -> Document:
    """Parse EUR-Lex HTML of the GDPR into the same passages as the Formex parser (ids, texts, titles)."""
    root = lxml.html.parse(str(path), parser=lxml.html.HTMLParser(encoding="utf-8")).getroot()
    _drop_note_calls(root)
    body = root.find("body")
    titles = [p.text_content() for p in body.iter("p") if "doc-ti" in _classes(p)]
    day = next((d for d in (parse_date(t, lang) for t in titles) if d), "")
    passages = list(_recitals(body, lang, day))
    for heading in body.iter("p"):
        if "ti-art" in _classes(heading):
            passages.extend(_article(heading, lang, day))
    return Document(doc_id=f"gdpr@{lang}", passages=tuple(passages), origin=str(path))

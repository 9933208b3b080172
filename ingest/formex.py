"""Formex 4 XML of the GDPR (Official Journal act or consolidated text) -> a Document of Passages."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from bot.core.labels import label_for, url_for
from bot.core.types import Document, Passage

GDPR_DATE = "2016-04-27"  # date of adoption; used when the file carries no title date

# Elements that start a new line of text; everything else is inline.
_BLOCKS = frozenset({"ALINEA", "P", "LIST", "ITEM", "NP", "TXT", "PARAG"})
# Numbers rendered beside a block, not inside its text.
_NUMBERS = frozenset({"NO.P", "NO.PARAG"})
_DASH = "—"  # the OJ prints items of a LIST TYPE="DASH" with an em dash


def _clean(text: str) -> str:
    """Collapse runs of whitespace (including no-break spaces) into one space."""
    return re.sub(r"\s+", " ", text).strip()


def _group_digits(number: str) -> str:
    """Render a Formex FT NUMBER as the OJ prints it: 10000000 -> 10 000 000."""
    return f"{int(number):,}".replace(",", " ") if number.isdigit() else number


def _inline(el: etree._Element) -> str:
    """Return the text of an inline element; footnotes dropped, quote marks from their CODE."""
    tag = el.tag
    if not isinstance(tag, str) or tag == "NOTE":
        return ""
    if tag in ("QUOT.START", "QUOT.END"):
        return chr(int(el.get("CODE", "22"), 16))
    if tag == "FT" and el.get("TYPE") == "NUMBER":
        return _group_digits((el.text or "").strip())
    return (el.text or "") + "".join(_inline(c) + (c.tail or "") for c in el)


def _lines(el: etree._Element) -> list[str]:
    """Render a block element as text lines: running text on one line, each list item on its own."""
    lines: list[str] = []
    buf = [el.text or ""]

    def flush() -> None:
        text = _clean("".join(buf))
        if text:
            lines.append(text)
        buf.clear()

    for child in el:
        tag = child.tag
        if tag in _NUMBERS:
            pass
        elif tag in _BLOCKS:
            flush()
            lines.extend(_block(child))
        else:
            buf.append(_inline(child))
        buf.append(child.tail or "")
    flush()
    return lines


def _block(el: etree._Element) -> list[str]:
    """Render one block, putting a point's number or a dash in front of its first line."""
    lines = _lines(el)
    prefix = ""
    if el.tag == "NP":
        prefix = _clean(el.findtext("NO.P") or "")
    elif el.tag == "ITEM" and el.getparent().get("TYPE") == "DASH":
        prefix = _DASH
    if prefix and lines:
        lines[0] = f"{prefix} {lines[0]}"
    return lines


def _number(text: str | None) -> str:
    """Return the bare number of a label such as "1.", "(1)" or "Article 21"."""
    m = re.search(r"\d+", text or "")
    if not m:
        raise ValueError(f"no number in {text!r}")
    return str(int(m.group()))


def _law(source_id: str, lang: str, text: str, title: str, day: str) -> Passage:
    """Build one GDPR passage with its label and link."""
    return Passage(source_id=source_id, label=label_for(source_id, lang), url=url_for(source_id, lang),
                   lang=lang, text=text, title=title, kind="law", date=day)


def _article_passages(article: etree._Element, lang: str, day: str) -> list[Passage]:
    """One passage per numbered paragraph, or one for the whole article if it has none."""
    number = _number(article.get("IDENTIFIER") or article.findtext("TI.ART"))
    title = _clean(_inline(article.find("STI.ART"))) if article.find("STI.ART") is not None else ""
    base = f"gdpr/art-{number}"
    parags = article.findall("PARAG")
    if not parags:
        text = "\n".join(line for al in article.findall("ALINEA") for line in _block(al))
        return [_law(base, lang, text, title, day)]
    return [
        _law(f"{base}#{_number(p.findtext('NO.PARAG'))}", lang, "\n".join(_block(p)), title, day)
        for p in parags
    ]


def _recital_passage(consid: etree._Element, lang: str, day: str) -> Passage:
    """One passage per recital; the number comes from its "(47)" label."""
    np_ = consid.find("NP")
    number = _number(np_.findtext("NO.P"))
    return _law(f"gdpr/recital-{number}", lang, "\n".join(_lines(np_)), "", day)


def _act_date(root: etree._Element) -> str:
    """Return the adoption date printed in the act's title ("of 27 April 2016"), as ISO."""
    iso = root.xpath("string((.//TITLE/TI//DATE/@ISO)[1])")
    return f"{iso[:4]}-{iso[4:6]}-{iso[6:8]}" if re.fullmatch(r"\d{8}", iso) else GDPR_DATE


def parse_gdpr_formex(path: Path, lang: str) -> Document:
    """Parse a Formex GDPR file (OJ act or consolidated text) into article-paragraph and recital passages."""
    root = etree.parse(str(path)).getroot()
    file_lang = root.xpath("string((.//LG.DOC)[1])").strip().lower()
    if file_lang and file_lang != lang:
        raise ValueError(f"{path} is in {file_lang!r}, not {lang!r}")
    day = _act_date(root)
    passages = [_recital_passage(c, lang, day) for c in root.iter("CONSID")]
    for article in root.iter("ARTICLE"):
        passages.extend(_article_passages(article, lang, day))
    return Document(doc_id=f"gdpr@{lang}", passages=tuple(passages), origin=str(path))

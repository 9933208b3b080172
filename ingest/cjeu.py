"""EUR-Lex judgment HTML of the Court of Justice (fmx2xhtml 8.x/9.x and the old Word-style HTML) -> a Document.

Passages: one per numbered paragraph of the grounds (`cjeu/C-252-21#para-118`) and one per point of the
operative part (`cjeu/C-252-21#operative-1`, `#operative-2`, ...); an operative part that is a single
unnumbered ruling is one passage `cjeu/C-252-21#operative`. The ids follow how lawyers cite a judgment.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from lxml.html import HtmlElement

from bot.core.labels import case_celex, case_id, label_for, parse_date, url_for
from bot.core.types import Document, Passage

# The judgments' own ECLIs appear neither in their EUR-Lex HTML nor in cases_index.json. These come from
# EUR-Lex; three of them (C-252/21, C-311/18, C-673/17) are also cited by other judgments in the corpus.
KNOWN_ECLI: dict[str, str] = {
    "62017CJ0673": "ECLI:EU:C:2019:801",
    "62018CJ0311": "ECLI:EU:C:2020:559",
    "62020CJ0319": "ECLI:EU:C:2022:322",
    "62021CJ0252": "ECLI:EU:C:2023:537",
    "62021CJ0300": "ECLI:EU:C:2023:370",
    "62021CJ0446": "ECLI:EU:C:2024:834",
    "62021CJ0634": "ECLI:EU:C:2023:957",
}

_MARKER = re.compile(r"^point(\d+)$")  # id="point12" (fmx2xhtml) or <a name="point12"> (Word-style)
_RULES = re.compile(r"^On those grounds\b.*\bhereby\b", re.IGNORECASE)
_NUMBERED = re.compile(r"^(\d+)\.\s+(.*)$", re.DOTALL)
_CASE = re.compile(r"\bCases?\s+([CT]\s*[\u2010-\u2013-]\s*\d+/\d{2})")
_ECLI = re.compile(r"ECLI:EU:[CT]:\d{4}:\d+")
_COMPANY = re.compile(r"\s*\b(Inc|Ltd|Limited|GmbH|AG|eV|e\.V|SA|SRL|plc)\b\.?$")


@dataclass(frozen=True)
class CaseMeta:
    """What a judgment says about itself, completed from the cases index where the HTML is silent."""

    case_number: str  # "C-252/21"
    celex: str
    ecli: str
    date: str  # ISO date of the judgment
    parties: str  # "Meta Platforms Inc and Others v Bundeskartellamt"
    title: str  # short case name for display
    short_name: str  # for labels: "Meta Platforms"
    chamber: str = ""  # "JUDGMENT OF THE COURT (Grand Chamber)"
    provisional: bool = False  # EUR-Lex "Provisional text", not yet the final ECR version


@dataclass
class _Scan:
    """The text of a judgment sorted into header lines, grounds paragraphs and operative lines."""

    header: list[HtmlElement] = field(default_factory=list)
    paragraphs: dict[int, list[str]] = field(default_factory=dict)
    operative: list[str] = field(default_factory=list)


def _classes(el: HtmlElement) -> str:
    """Return an element's class string in lower case, with the `coj-` prefix of newer markup removed."""
    return (el.get("class") or "").lower().replace("coj-", "")


def _clean(text: str) -> str:
    """Collapse runs of whitespace (including no-break spaces) into one space."""
    return re.sub(r"\s+", " ", text).strip()


def _marker(p: HtmlElement) -> int | None:
    """Return the grounds paragraph number a p element opens, dropping a Word-style anchor's number text."""
    m = _MARKER.match(p.get("id") or "")
    if m:
        return int(m[1])
    for a in p.xpath(".//a[@name]"):
        m = _MARKER.match(a.get("name"))
        if m:
            a.drop_tree()  # its text is the bare number, already kept as the paragraph number
            return int(m[1])
    return None


def _scan(root: HtmlElement) -> _Scan:
    """Walk the p elements in reading order and sort their text into header, grounds and operative part."""
    for note in root.xpath('//span[contains(@class, "note")] | //a[starts-with(@href, "#Footnote")]'):
        note.drop_tree()  # footnote calls such as "(*1)" after the date
    scan, current, pending, state = _Scan(), None, "", "header"
    for p in root.find("body").iter("p"):
        if any("signature" in _classes(el) for el in p.iterancestors()) or "signature" in _classes(p):
            break  # signatures close the judgment
        number = _marker(p)
        text = _clean(p.text_content())
        if number is not None:
            state, current = "grounds", scan.paragraphs.setdefault(number, [])
            if text and text != str(number):  # fmx2xhtml puts the bare number in a cell of its own
                current.append(text)
        elif state == "header":
            scan.header.append(p)
        elif not text or "title" in _classes(p) or "titre" in _classes(p):
            continue  # headings between paragraphs are not part of any paragraph
        elif state == "grounds" and _RULES.match(text):
            state, current = "operative", scan.operative
        elif "count" in _classes(p):
            pending = text  # a list mark ("–", "(1)", "1.") in its own cell: it leads the next line
        else:
            current.append(f"{pending} {text}" if pending else text)
            pending = ""
    return scan


def _operative_points(lines: list[str]) -> list[tuple[str, str]]:
    """Split the operative part into (fragment, text): numbered points, or one unnumbered ruling."""
    groups: list[tuple[str, list[str]]] = [("operative", [])]
    for line in lines:
        m = _NUMBERED.match(line)
        if m and int(m[1]) == len(groups):  # only the next number in sequence opens a point
            groups.append((f"operative-{m[1]}", [m[2]]))
        else:
            groups[-1][1].append(line)
    if len(groups) > 1 and groups[0][1]:
        raise ValueError(f"text before point 1 of the operative part: {groups[0][1][0][:60]!r}")
    return [(frag, "\n".join(text)) for frag, text in (groups[1:] or groups)]


def _parties(header: list[HtmlElement]) -> str:
    """Return "A v B" from the bold party names between "in the proceedings" and "THE COURT"."""
    sides: list[list[str]] = [[]]
    started = False
    for p in header:
        text = _clean(p.text_content())
        if not started:
            started = text.endswith("in the proceedings")
        elif text == "v":
            sides.append([])
        elif text.endswith(":") or text.startswith("THE COURT"):
            break  # interveners are not parties in the case name
        else:
            bold = p.xpath('.//b | .//span[contains(@class, "bold")]')
            sides[-1].extend(name for name in (_clean(b.text_content()).rstrip(",") for b in bold) if name)
    joined = [s[0] if len(s) == 1 else (f"{s[0]} and {s[1]}" if len(s) == 2 else f"{s[0]} and Others")
              for s in sides if s]
    return " v ".join(joined)


def short_name(name: str) -> str:
    """Derive a label name from a case name: "(SCHUFA)" if given, else the first non-anonymised party."""
    m = re.search(r"\(([^()]+)\)\s*$", name)
    if m:
        return m[1]
    sides = [s.strip() for s in name.split(" v ")]
    first = sides[1] if len(sides) > 1 and re.fullmatch(r"[A-Z]{1,3}", sides[0]) else sides[0]
    first = re.sub(r"\s+and (Others|others)$", "", first)
    return _COMPANY.sub("", first).strip(" ,")


def _meta(scan: _Scan, path: Path, meta: dict | None) -> CaseMeta:
    """Combine what the header says with the index entry; the HTML wins, the index fills the gaps."""
    meta = meta or {}
    lines = [_clean(p.text_content()) for p in scan.header]
    numbers = [m[1] for m in map(_CASE.search, lines) if m]
    number = re.sub(r"\s*[\u2010-\u2013-]\s*", "-", numbers[0]) if numbers else meta.get("case_number", "")
    if not number:
        raise ValueError(f"{path}: no case number in the HTML and none given in meta")
    if meta.get("case_number") and meta["case_number"] != number:
        raise ValueError(f"{path} is {number}, but meta describes {meta['case_number']}")
    before_case = lines[: next((i for i, t in enumerate(lines) if _CASE.search(t)), len(lines))]
    day = next((d for d in map(parse_date, before_case) if d), "") or meta.get("date") or ""
    eclis = [m[0] for m in map(_ECLI.search, before_case) if m]  # later lines cite other judgments
    celex = case_celex(case_id(number))
    parties = _parties(scan.header) or meta.get("parties_eurlex") or ""
    title = meta.get("popular_name") or parties
    return CaseMeta(
        case_number=number, celex=celex, ecli=(eclis or [meta.get("ecli") or KNOWN_ECLI.get(celex, "")])[0],
        date=day, parties=parties, title=title, short_name=meta.get("short_name") or short_name(title),
        chamber=next((t for t in lines if t.startswith("JUDGMENT OF THE")), ""),
        provisional=any(t.lower() == "provisional text" for t in lines),
    )


def _read(path: Path, meta: dict | None) -> tuple[CaseMeta, _Scan]:
    """Parse the file once and return its metadata and sorted text."""
    root = lxml.html.parse(str(path), parser=lxml.html.HTMLParser(encoding="utf-8")).getroot()
    scan = _scan(root)
    return _meta(scan, path, meta), scan


def read_case_meta(path: Path, meta: dict | None = None) -> CaseMeta:
    """Return a judgment's case number, CELEX, ECLI, date, parties and names (HTML first, then meta)."""
    return _read(path, meta)[0]


def parse_judgment_html(path: Path, meta: dict | None = None) -> Document:
    """Parse a judgment into one passage per grounds paragraph and per point of the operative part."""
    info, scan = _read(path, meta)
    base = case_id(info.case_number)
    if not scan.paragraphs or not scan.operative:
        raise ValueError(f"{path}: no numbered paragraphs or no operative part found; unknown markup?")

    def passage(fragment: str, text: str) -> Passage:
        sid = f"{base}#{fragment}"
        return Passage(source_id=sid, label=label_for(sid, "en", info.short_name), url=url_for(sid, "en"),
                       lang="en", text=text, title=info.title, kind="case", date=info.date)

    passages = [passage(f"para-{n}", "\n".join(lines)) for n, lines in sorted(scan.paragraphs.items())]
    passages += [passage(frag, text) for frag, text in _operative_points(scan.operative)]
    return Document(doc_id=f"{base}@en", passages=tuple(passages), origin=str(path))


def load_cases_index(corpus_dir: Path) -> dict[str, dict]:
    """Read cjeu/cases_index.json and return its entries keyed by CELEX number (as in the HTML file names)."""
    data = json.loads((Path(corpus_dir) / "cjeu" / "cases_index.json").read_text(encoding="utf-8"))
    return {entry["celex"]: entry for entry in data["cases"]}

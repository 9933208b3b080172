"""Human labels, links and dates for citation ids, per language, driven by the tables below."""

from __future__ import annotations

import re
from datetime import date

# Acts we cite by article and recital: the id prefix, its CELEX number and its short name per language.
ACTS: dict[str, dict] = {
    "gdpr": {"celex": "32016R0679", "name": {"en": "GDPR", "fr": "RGPD", "de": "DSGVO"}},
    "rad": {
        "celex": "32020L1828",
        "name": {
            "en": "Directive (EU) 2020/1828",
            "fr": "Directive (UE) 2020/1828",
            "de": "Richtlinie (EU) 2020/1828",
        },
    },
}

LAW_LABELS: dict[str, dict[str, str]] = {
    "en": {"art": "{act} Art. {art}", "par": "{act} Art. {art}({par})", "rct": "{act} Recital {n}"},
    "fr": {"art": "{act}, art. {art}", "par": "{act}, art. {art}, § {par}", "rct": "{act}, considérant {n}"},
    "de": {"art": "{act} Art. {art}", "par": "{act} Art. {art} Abs. {par}", "rct": "{act} Erwägungsgrund {n}"},
}

CASE_LABELS: dict[str, dict[str, str]] = {
    "en": {"court": "CJEU", "para": "para. {n}", "operative": "operative part", "point": "operative part, point {n}"},
    "fr": {"court": "CJUE", "para": "pt {n}", "operative": "dispositif", "point": "dispositif, point {n}"},
    "de": {"court": "EuGH", "para": "Rn. {n}", "operative": "Tenor", "point": "Tenor, Nr. {n}"},
}

# Same wording as the knowledge texts' `labels.news`, so press citations read alike whatever their origin.
NEWS_LABELS: dict[str, str] = {"en": "Press: {title} ({date})", "fr": "Presse: {title} ({date})",
                               "de": "Presse: {title} ({date})"}

LAW_URL = "https://eur-lex.europa.eu/legal-content/{LANG}/TXT/HTML/?uri=CELEX:{celex}"
CASE_URL = "https://eur-lex.europa.eu/legal-content/{LANG}/TXT/?uri=CELEX:{celex}"

MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "de": ("januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
           "oktober", "november", "dezember"),
}

_ACT = "|".join(ACTS)
_LAW_ID = re.compile(rf"^(?P<act>{_ACT})/(?:art-(?P<art>\d+)(?:#(?P<par>\d+))?|recital-(?P<rct>\d+))$")
_CASE_ID = re.compile(
    r"^cjeu/(?P<court>[CT])-(?P<num>\d+)-(?P<yy>\d{2})"
    r"(?:#(?P<frag>para(?=-)|operative)(?:-(?P<n>\d+))?)?$"  # #para-118, #operative, #operative-2
)


def _check_lang(lang: str) -> None:
    """Fail clearly on a language we have no templates for."""
    if lang not in LAW_LABELS:
        raise ValueError(f"unsupported language {lang!r}; expected one of {', '.join(LAW_LABELS)}")


def _parse(source_id: str) -> tuple[str, re.Match]:
    """Split a citation id into its kind ("law" or "case") and its parts."""
    for kind, pattern in (("law", _LAW_ID), ("case", _CASE_ID)):
        match = pattern.match(source_id)
        if match:
            return kind, match
    raise ValueError(f"no label rule for citation id {source_id!r}")


def _case(source_id: str) -> re.Match:
    """Return the parts of a case id, or fail if the id is not a case."""
    kind, m = _parse(source_id)
    if kind != "case":
        raise ValueError(f"not a case id: {source_id!r}")
    return m


def case_number(source_id: str) -> str:
    """Return the court's case number for a case id: cjeu/C-252-21#para-1 -> C-252/21."""
    m = _case(source_id)
    return f"{m['court']}-{int(m['num'])}/{m['yy']}"


def case_id(number: str) -> str:
    """Return the citation id for a case number: C-252/21 (any dash) -> cjeu/C-252-21."""
    m = re.search(r"([CT])\s*[\u2010-\u2013-]\s*(\d+)\s*/\s*(\d{2})", number)
    if not m:
        raise ValueError(f"not a case number: {number!r}")
    return f"cjeu/{m[1]}-{int(m[2])}-{m[3]}"


def case_celex(source_id: str) -> str:
    """Return the CELEX number of a Court of Justice judgment: cjeu/C-252-21 -> 62021CJ0252."""
    m = _case(source_id)
    yy = int(m["yy"])
    year = 2000 + yy if yy <= date.today().year % 100 else 1900 + yy  # the Court's cases start in 1954
    return f"6{year}{m['court']}J{int(m['num']):04d}"


def label_for(source_id: str, lang: str, short_name: str = "") -> str:
    """Return the human label of a citation id in a language ("GDPR Art. 21(1)", "EuGH C-252/21 X, Rn. 5")."""
    _check_lang(lang)
    kind, m = _parse(source_id)
    if kind == "law":
        act = ACTS[m["act"]]["name"][lang]
        key = "rct" if m["rct"] else ("par" if m["par"] else "art")
        return LAW_LABELS[lang][key].format(act=act, art=m["art"], par=m["par"], n=m["rct"])
    words = CASE_LABELS[lang]
    head = " ".join(filter(None, (words["court"], case_number(source_id), short_name)))
    if not m["frag"]:
        return head
    key = "para" if m["frag"] == "para" else ("point" if m["n"] else "operative")
    return f"{head}, {words[key].format(n=m['n'])}"


def url_for(source_id: str, lang: str) -> str:
    """Return the EUR-Lex link of a citation id in a language, with an anchor where EUR-Lex has one."""
    _check_lang(lang)
    kind, m = _parse(source_id)
    if kind == "law":
        base = LAW_URL.format(LANG=lang.upper(), celex=ACTS[m["act"]]["celex"])
        return f"{base}#rct_{m['rct']}" if m["rct"] else f"{base}#art_{m['art']}"
    base = CASE_URL.format(LANG=lang.upper(), celex=case_celex(source_id))
    return f"{base}#point{m['n']}" if m["frag"] == "para" else base


def news_label(title: str, iso_date: str, lang: str) -> str:
    """Return the label of a press article: "Press: <headline> (14.05.2025)" in the article's language."""
    _check_lang(lang)
    day = date.fromisoformat(iso_date).strftime("%d.%m.%Y")
    return NEWS_LABELS[lang].format(title=title, date=day)


def parse_date(text: str, lang: str = "en") -> str:
    """Find a written date ("4 July 2023", "27 avril 2016", "1er mai") in text; return it as ISO or ""."""
    _check_lang(lang)
    names = "|".join(MONTHS[lang])
    m = re.search(rf"\b(\d{{1,2}})(?:er)?\.?\s+({names})\s+(\d{{4}})\b", text, re.IGNORECASE)
    if not m:
        return ""
    month = MONTHS[lang].index(m[2].lower()) + 1
    return date(int(m[3]), month, int(m[1])).isoformat()

"""Facts and documents for the walkthroughs: authorities, platform forms, objection and complaint texts."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.core.flows.model import OUTSIDE, Flow, fill, fold, text_of, value_of
from bot.core.i18n import t
from bot.errors import LegalbotError
from bot.settings import Settings

# Countries whose authority's own name the reader of each language understands; others get the English name too.
_LOCAL = {"en": {"IE", "MT"}, "fr": {"FR", "BE", "LU"}, "de": {"DE", "AT", "LI", "LU"}}
# Reference codes: no 0/O, 1/I/L or U, so they survive being read aloud or typed from a screenshot.
REF_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


@lru_cache(maxsize=8)
def _yaml(path: Path) -> dict[str, Any]:
    """A knowledge data file, read once."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def dpas(root: Path) -> dict[str, Any]:
    """knowledge/dpas.yaml: the EU/EEA data protection authorities."""
    return _yaml(root / "dpas.yaml")


def platforms(root: Path) -> dict[str, Any]:
    """knowledge/platforms.yaml: Meta's objection forms and what they ask."""
    return _yaml(root / "platforms.yaml")


def countries(root: Path, lang: str) -> list[tuple[str, str]]:
    """(code, name) of every EU/EEA country, alphabetical in the user's language."""
    pairs = [(c["code"], text_of(c["country"], lang)) for c in dpas(root)["countries"]]
    return sorted(pairs, key=lambda pair: fold(pair[1]))


def country_name(root: Path, code: str, lang: str) -> str:
    """A country's name in the user's language ('' when unknown)."""
    return dict(countries(root, lang)).get(code, "")


def regions(root: Path, code: str) -> list[dict[str, Any]]:
    """The regional authorities of a country (Germany's Länder), alphabetical."""
    record = next((c for c in dpas(root)["countries"] if c["code"] == code), {})
    return sorted(record.get("regional") or [], key=lambda r: fold(r["land"]))


def authority_name(record: dict[str, Any], lang: str) -> str:
    """The authority's own name, with the English one where the reader may not know the language."""
    name, english = record["name"], record.get("name_en") or record["name"]
    if fold(name) in fold(english) or fold(english) in fold(name):
        return max(name, english, key=len)  # 'Irish Data Protection Commission', not both
    # A dash, not brackets: many official names already end in an abbreviation in brackets, like "(CNIL)".
    if lang == "en":
        return f"{english} – {name}"
    return name if record["code"].split("-")[0] in _LOCAL.get(lang, set()) else f"{name} – {english}"


def authority(flow: Flow, answers: dict[str, Any], lang: str) -> tuple[dict[str, Any], str]:
    """The authority for the user's answers and a note on why it was chosen ('' when obvious)."""
    data = dpas(flow.root)
    country = answers.get(flow.step_of_kind("country") or "", OUTSIDE)
    code = data["lead_for_meta"] if country == OUTSIDE else country
    record = next(c for c in data["countries"] if c["code"] == code)
    region_step = flow.step_of_kind("region")
    if not record.get("regional") or region_step is None:
        return record, ""
    step, regional = flow.steps[region_step], {r["code"]: r for r in record["regional"]}
    if answers.get(region_step) in regional:
        return regional[answers[region_step]], ""
    if step.get("default") in regional:
        return regional[step["default"]], text_of(step.get("default_note"), lang)
    return record, ""


def _authority_values(flow: Flow, answers: dict[str, Any], lang: str) -> dict[str, str]:
    """dpa_name, dpa_contact (form, website, e-mail) and dpa_note for the texts."""
    record, note = authority(flow, answers, lang)
    lines = []
    if record.get("complaint_url"):
        lines.append(t(lang, "flows.dpa_form", url=record["complaint_url"]))
    if record.get("website"):
        lines.append(t(lang, "flows.dpa_site", url=record["website"]))
    if record.get("email"):
        lines.append(t(lang, "flows.dpa_email", email=record["email"]))
    country = answers.get(flow.step_of_kind("country") or "", OUTSIDE)
    residence = country_name(flow.root, country, lang) or t(lang, "flows.your_country")
    return {"dpa_name": authority_name(record, lang), "dpa_contact": "\n".join(lines), "dpa_note": note,
            "residence": residence}


def _join(names: list[str], lang: str) -> str:
    """'A', 'A and B', 'A, B and C' in the user's language."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {t(lang, 'flows.and')} {names[-1]}"


def _platform_values(root: Path, chosen: list[str], lang: str) -> dict[str, Any]:
    """platforms_list for sentences, and per-platform items (name, form, asks, confirmation)."""
    data = platforms(root)
    items = {}
    for pid in chosen:
        entry = data["platforms"][pid]
        items[pid] = {"name": text_of(entry["name"], lang), "form": entry.get("objection_form") or "",
                      "asks": text_of(entry.get("asks"), lang),
                      "confirmation": text_of(entry.get("confirmation"), lang)}
    names = [item["name"] for item in items.values()]
    return {"platforms_list": _join(names, lang), "items": items, "forms_note": text_of(data.get("note"), lang)}


def _clauses(step: dict[str, Any], chosen: list[str], lang: str) -> str:
    """The sentences a multi step contributes to a document (its none_clause when nothing fits)."""
    texts = [text_of(c["clause"], lang) for c in step["choices"] if c["id"] in chosen and c.get("clause")]
    return "\n\n".join(texts) or text_of(step.get("none_clause"), lang)


def guide_link(site: str, root: Path, slug: str, lang: str) -> str:
    """The guide's page on our site, or its title in quotes when no site is set (never a dead link)."""
    if site:
        return f"{site}/{lang}/guides/{slug}"
    head = (root / "guides" / f"{slug}.{lang}.md").read_text(encoding="utf-8").split("---")[1]
    return f"«{yaml.safe_load(head)['title']}»"


def values(flow: Flow, answers: dict[str, Any], lang: str, settings: Settings,
           extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every placeholder the flow's texts may use, for these answers: links, authority, documents."""
    site = settings.site_url.rstrip("/")
    found: dict[str, Any] = {
        "signup_url": settings.signup_url,
        **{f"guide_{slug.replace('-', '_')}": guide_link(site, flow.root, slug, lang)
           for slug in ("object-meta-ai", "class-action", "complain-to-dpa")},
        "consent_version": str(flow.data.get("consent_version", "")),
        "residence": t(lang, "flows.your_country"),
        **(extra or {}),
    }
    if flow.step_of_kind("country") in answers:
        found.update(_authority_values(flow, answers, lang))
    chosen = value_of(flow, "platforms", answers)
    if isinstance(chosen, list):
        found.update(_platform_values(flow.root, chosen, lang))
    for sid, step in flow.steps.items():
        if step["kind"] == "multi" and sid in answers:
            found[f"{sid}_text"] = _clauses(step, answers[sid], lang)
    for name, template in flow.data.get("templates", {}).items():
        try:
            found[name] = fill(text_of(template, lang), found)
        except (LegalbotError, KeyError):
            continue  # not all answers yet: the template is simply not available
    return found


def new_ref(length: int = 8) -> str:
    """A short reference code like 'K7QM-3XHD' for the NGO to match a sign-up."""
    code = "".join(secrets.choice(REF_ALPHABET) for _ in range(length))
    return f"{code[:4]}-{code[4:]}"


def signup_link(url: str, ref: str) -> str:
    """The NGO's sign-up page with the reference code."""
    return f"{url}{'&' if '?' in url else '?'}ref={ref}"


def signup_record(flow: Flow, answers: dict[str, Any], user_id: int, ref: str) -> dict[str, Any]:
    """The minimal record the consent text describes, from the flow's `record:` mapping."""
    spec = flow.data["record"]
    return {
        "ref": ref,
        "user_id": user_id,
        "country": answers[spec["country"]],
        "platforms": value_of(flow, spec["platforms"], answers),
        "eligibility": {key: answers.get(sid) for key, sid in spec["eligibility"].items()},
        "contact_ok": answers.get(spec["contact"]) == "yes",
        "consent_version": str(flow.data["consent_version"]),
    }

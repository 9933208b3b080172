"""A walkthrough's current step as a View: text, buttons, further messages; and typed answers."""

from __future__ import annotations

from typing import Any

from bot.core.flows.docs import countries, country_name, regions
from bot.core.flows.engine import SKIP, answered, effective, matches
from bot.core.flows.model import (
    OUTSIDE,
    QUESTIONS,
    Button,
    Flow,
    Part,
    Rows,
    State,
    View,
    fill,
    fold,
    text_of,
    token,
    value_of,
)
from bot.core.i18n import t
from bot.core.types import LANGS

PAGE_MAX = 12  # countries per page of the country keyboard: 6 rows of 2, never splitting a letter


def answer_label(flow: Flow, sid: str, value: Any, lang: str) -> str:
    """An answer as the user would say it: 'Facebook and Instagram', 'France', 'Berlin'."""
    step = flow.steps[sid]
    by_id = {c["id"]: text_of(c["label"], lang) for c in step.get("choices", [])}
    if step["kind"] == "multi":
        return ", ".join(by_id[v] for v in value if v in by_id) or text_of(step.get("empty"), lang)
    if step["kind"] == "country":
        return text_of(step["outside"], lang) if value == OUTSIDE else country_name(flow.root, value, lang)
    if step["kind"] == "region":
        lands = {r["code"]: r["land"] for r in regions(flow.root, value.split("-")[0])}
        return lands.get(value) or text_of(step["skip"], lang)
    return by_id.get(value, str(value))


def labels(flow: Flow, answers: dict[str, Any], lang: str) -> dict[str, str]:
    """Every answer's label, usable as {step_id} in the flow's texts."""
    return {sid: answer_label(flow, sid, value, lang) for sid, value in answers.items()
            if sid in flow.steps and flow.steps[sid]["kind"] in QUESTIONS}


def country_pages(flow: Flow, lang: str) -> list[list[tuple[str, str]]]:
    """Countries in pages of at most PAGE_MAX, each page whole initial letters (tabs read 'A–G', 'H–N')."""
    pages: list[list[tuple[str, str]]] = [[]]
    by_letter: dict[str, list[tuple[str, str]]] = {}
    for code, name in countries(flow.root, lang):
        by_letter.setdefault(fold(name)[0], []).append((code, name))
    for group in by_letter.values():
        if pages[-1] and len(pages[-1]) + len(group) > PAGE_MAX:
            pages.append([])
        pages[-1].extend(group)
    return pages


def _pairs(buttons: list[Button]) -> Rows:
    """Buttons two to a row."""
    return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))


def _keyboard(flow: Flow, state: State, lang: str, page: int | None) -> Rows:
    """The step's buttons, then the step's own extra buttons, then Back (or Cancel on the first step)."""
    sid, step = state.step, flow.steps[state.step]
    kind, answer = step["kind"], state.answers.get(state.step)

    def tok(action: str) -> str:
        return token(flow.id, sid, action)

    def mark(selected: bool) -> str:
        return "✓ " if selected else ""

    rows: list[tuple[Button, ...]] = []
    if kind == "choice":
        rows = [(Button(mark(answer == c["id"]) + text_of(c["label"], lang), tok(f"c:{c['id']}")),)
                for c in step["choices"]]
    elif kind == "multi":
        rows = [(Button(("✅ " if c["id"] in (answer or []) else "⬜ ") + text_of(c["label"], lang),
                        tok(f"t:{c['id']}")),) for c in step["choices"]]
        rows.append((Button(t(lang, "flows.continue"), tok("ok")),))
    elif kind == "country":
        pages = country_pages(flow, lang)
        current = next((i for i, p in enumerate(pages) if answer in dict(p)), 0) if page is None else page
        current = max(0, min(current, len(pages) - 1))
        rows = list(_pairs([Button(mark(answer == code) + name, tok(f"c:{code}")) for code, name in pages[current]]))
        tabs = [Button(f"{'• ' if i == current else ''}{fold(p[0][1])[0].upper()}–{fold(p[-1][1])[0].upper()}",
                       tok(f"p:{i}")) for i, p in enumerate(pages)]
        rows += [tuple(tabs), (Button(mark(answer == OUTSIDE) + text_of(step["outside"], lang), tok(f"c:{OUTSIDE}")),)]
    elif kind == "region":
        lands = regions(flow.root, state.answers.get(step["of"], ""))
        rows = list(_pairs([Button(mark(answer == r["code"]) + r["land"], tok(f"c:{r['code']}")) for r in lands]))
        rows.append((Button(mark(answer == SKIP) + text_of(step["skip"], lang), tok(f"c:{SKIP}")),))
    elif kind == "summary":
        rows = [(Button(t(lang, "flows.edit", label=text_of(flow.steps[s]["summary"], lang)), tok(f"e:{s}")),)
                for s in effective(flow, state.answers) if answered(flow, s, state.answers)]
        rows.append((Button(text_of(step["confirm"], lang), tok("ok")),))
    elif not (step.get("end") or step.get("halt")):
        rows = [(Button(text_of(step.get("button"), lang) or t(lang, "flows.continue"), tok("ok")),)]
    rows += [(Button(text_of(b["label"], lang), tok(b["action"])),) for b in step.get("buttons", [])]
    if not step.get("end"):
        rows.append((Button(t(lang, "flows.back"), tok("back")) if state.history
                     else Button(t(lang, "flows.cancel"), tok("cancel")),))
    return tuple(rows)


def _parts(flow: Flow, state: State, lang: str, values: dict[str, Any]) -> tuple[Part, ...]:
    """The step's further messages; `each:` repeats one per item (per platform), `if:` filters."""
    parts, answers = [], effective(flow, state.answers)
    for part in flow.steps[state.step].get("parts", []):
        if not matches(part.get("if") or {}, answers):
            continue
        for item in value_of(flow, part["each"], answers) if part.get("each") else [None]:
            local = dict(values)
            if item is not None:
                local.update({f"item_{k}": v for k, v in values["items"][item].items()}, item=item)
            buttons = tuple((Button(fill(text_of(b["label"], lang), local),
                                    token(flow.id, state.step, fill(b["action"], local))),)
                            for b in part.get("buttons", []))
            parts.append(Part(fill(text_of(part["text"], lang), local), buttons))
    return tuple(parts)


def render(flow: Flow, state: State, lang: str, values: dict[str, Any] | None = None, note: str = "",
           page: int | None = None, edit: bool = False) -> View:
    """The current step as a View: text (after an optional note), buttons and further messages."""
    step = flow.steps[state.step]
    answers = effective(flow, state.answers)
    local = {**labels(flow, answers, lang), **(values or {})}
    text = fill(text_of(step["text"], lang), local)
    if step["kind"] == "summary":
        lines = [t(lang, "flows.summary_line", label=text_of(flow.steps[s]["summary"], lang), answer=answer)
                 for s, answer in labels(flow, answers, lang).items()]
        text = "\n".join([text, "", *lines])
    return View(text=f"{note}\n\n{text}" if note else text, buttons=_keyboard(flow, state, lang, page),
                parts=_parts(flow, state, lang, local), done=bool(step.get("end")), flow=flow.id,
                step=state.step, edit=edit)


def _bare(label: str) -> str:
    """A label as typed: folded, without the emoji or mark in front ('🌍 Outside' -> 'outside')."""
    folded = fold(label)
    return folded[next((i for i, c in enumerate(folded) if c.isalnum()), len(folded)):]


def match_text(flow: Flow, state: State, text: str) -> str | None:
    """A typed answer equal to a choice's label in any language, or a country's name or code: its token."""
    step, wanted = flow.steps[state.step], _bare(text)
    options: dict[str, str] = {}
    if step["kind"] == "choice":
        options = {_bare(text_of(c["label"], lang)): c["id"] for c in step["choices"] for lang in LANGS}
    elif step["kind"] == "country":
        options = {_bare(name): code for lang in LANGS for code, name in countries(flow.root, lang)}
        options.update({code.casefold(): code for code in list(options.values())})
        options.update({_bare(text_of(step["outside"], lang)): OUTSIDE for lang in LANGS})
    elif step["kind"] == "region":
        options = {_bare(r["land"]): r["code"] for r in regions(flow.root, state.answers.get(step["of"], ""))}
    choice = options.get(wanted)
    return token(flow.id, state.step, f"c:{choice}") if choice else None

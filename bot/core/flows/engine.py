"""The walkthrough engine: button tokens move a State through a Flow (rendering is in render.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.core.flows.docs import countries, regions
from bot.core.flows.model import OUTSIDE, QUESTIONS, Flow, State, parse_token

SKIP = "none"  # the region step's "not sure / rather not say"


def start(flow: Flow) -> State:
    """A fresh state at the flow's first step."""
    return State(flow.id, flow.start)


def matches(condition: dict[str, Any], answers: dict[str, Any]) -> bool:
    """`{country: DE}`, `{country: [DE, AT]}`, `{situation: art9}` (contains), `{country: {not: OUT}}`."""
    for key, expected in condition.items():
        negate = isinstance(expected, dict) and "not" in expected
        wanted = expected["not"] if negate else expected
        options = wanted if isinstance(wanted, list) else [wanted]
        value = answers.get(key)
        found = any(v in options for v in (value if isinstance(value, list) else [value]))
        if found == negate:
            return False
    return True


def next_step(flow: Flow, sid: str, answers: dict[str, Any]) -> str | None:
    """Where a step leads for these answers: a fixed step or the first branch whose `if` holds."""
    nxt = flow.steps[sid].get("next")
    if nxt is None or isinstance(nxt, str):
        return nxt
    return next((b["goto"] for b in nxt if matches(b.get("if") or {}, answers)), None)


def answered(flow: Flow, sid: str, answers: dict[str, Any]) -> bool:
    """True when a question step has an answer."""
    return flow.steps[sid]["kind"] in QUESTIONS and sid in answers


def path(flow: Flow, answers: dict[str, Any]) -> list[str]:
    """The steps the answers lead through, up to the first open question, the summary or an end."""
    sid, seen = flow.start, []
    while sid and sid not in seen:
        seen.append(sid)
        step = flow.steps[sid]
        if step.get("end") or step.get("halt") or step["kind"] == "summary" or (
                step["kind"] in QUESTIONS and sid not in answers):
            break
        sid = next_step(flow, sid, answers)
    return seen


def effective(flow: Flow, answers: dict[str, Any]) -> dict[str, Any]:
    """Only the answers on the current path (an answer to a step no longer reached does not count)."""
    return {sid: answers[sid] for sid in path(flow, answers) if sid in answers}


def choice_ids(flow: Flow, state: State) -> list[str]:
    """The valid choices of the current step."""
    step = flow.steps[state.step]
    if step["kind"] == "country":
        return [code for code, _ in countries(flow.root, "en")] + [OUTSIDE]
    if step["kind"] == "region":
        return [r["code"] for r in regions(flow.root, state.answers.get(step["of"], ""))] + [SKIP]
    return [c["id"] for c in step.get("choices", [])]


def _forward(flow: Flow, state: State, answers: dict[str, Any]) -> State:
    """Leave the current step; when editing from the summary, skip what is answered and go back to it."""
    nxt = next_step(flow, state.step, answers)
    summary = flow.summary
    if summary and summary in state.history:
        while nxt and nxt != summary and answered(flow, nxt, answers):
            nxt = next_step(flow, nxt, answers)
    history = (*state.history, state.step)
    if nxt == summary:
        history = tuple(path(flow, answers)[:-1])
    return State(state.flow, nxt or state.step, answers, history)


def _toggle(flow: Flow, state: State, cid: str) -> State:
    """Select or unselect one choice of a multi step; an exclusive choice clears the others."""
    step = flow.steps[state.step]
    order = [c["id"] for c in step["choices"]]
    exclusive = {c["id"] for c in step["choices"] if c.get("exclusive")}
    chosen = set(state.answers.get(state.step, []))
    if cid in chosen:
        chosen.discard(cid)
    else:
        chosen = {cid} if cid in exclusive else (chosen - exclusive) | {cid}
    return replace(state, answers={**state.answers, state.step: [c for c in order if c in chosen]})


def _repeat(state: State, sid: str, action: str) -> bool:
    """A press on an earlier step that did exactly what was already recorded (a double press)."""
    return sid in state.history and (action == "ok" or action == f"c:{state.answers.get(sid)}")


def advance(flow: Flow, state: State, data: str) -> tuple[State, str]:
    """Apply one button; outcome: moved, same, page, stale, repeat, invalid or cancel."""
    parsed = parse_token(data)
    if parsed is None or parsed[0] != state.flow:
        return state, "stale"
    _, sid, action = parsed
    if sid != state.step:
        return state, "repeat" if _repeat(state, sid, action) else "stale"
    step, (verb, _, arg) = flow.steps[sid], action.partition(":")
    kind = step["kind"]
    if action == "back" and state.history:
        return replace(state, step=state.history[-1], history=state.history[:-1]), "moved"
    if action == "cancel":
        return state, "cancel"
    if verb == "p" and kind == "country":
        return state, "page"
    if verb == "c" and kind in ("choice", "country", "region") and arg in choice_ids(flow, state):
        return _forward(flow, state, {**state.answers, sid: arg}), "moved"
    if verb == "t" and kind == "multi" and arg in choice_ids(flow, state):
        return _toggle(flow, state, arg), "same"
    if action == "ok" and kind == "multi":
        chosen = state.answers.get(sid, [])
        if len(chosen) < int(step.get("min", 0)):
            return state, "invalid"
        return _forward(flow, state, {**state.answers, sid: chosen}), "moved"
    if action == "ok" and kind in ("info", "summary") and not (step.get("end") or step.get("halt")):
        return _forward(flow, state, state.answers), "moved"
    if verb == "e" and kind == "summary" and answered(flow, arg, effective(flow, state.answers)):
        return replace(state, step=arg, history=(*state.history, sid)), "moved"
    return state, "invalid"

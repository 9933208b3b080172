"""Walkthroughs as data: the flow file, a user's state, what an adapter shows, and the button tokens."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from string import Formatter
from typing import Any, NamedTuple

import yaml

from bot.core.types import LANGS
from bot.errors import LegalbotError
from bot.settings import REPO_ROOT

KINDS = ("choice", "multi", "country", "region", "info", "summary")
QUESTIONS = ("choice", "multi", "country", "region")  # kinds whose step id holds an answer
OUTSIDE = "OUT"  # the country step's answer for "outside the EU/EEA"
TOKEN_PREFIX = "fl"
REQUIRED = {"country": ("outside",), "region": ("of", "skip"), "summary": ("confirm",)}  # keys a kind needs
MAX_TOKEN = 64  # Telegram's limit on callback data, in bytes


class Button(NamedTuple):
    """One button: what it says and the token it sends back."""

    label: str
    action: str


Rows = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Part:
    """A further message sent after the step's own (a document to copy, a form link)."""

    text: str
    buttons: Rows = ()


@dataclass(frozen=True)
class View:
    """What an adapter shows: a text, rows of buttons, extra messages; no transport details."""

    text: str = ""
    buttons: Rows = ()
    parts: tuple[Part, ...] = ()
    done: bool = False  # the walkthrough reached its end
    flow: str = ""
    step: str = ""
    edit: bool = False  # replace the message whose button was pressed instead of sending a new one
    toast: str = ""  # a short acknowledgement (Telegram: the callback answer)


@dataclass(frozen=True)
class State:
    """Where one user is in one walkthrough; persisted after every change."""

    flow: str
    step: str
    answers: dict[str, Any] = field(default_factory=dict)
    history: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flow:
    """One flow file: steps keyed by id, plus templates and settings, as the NGO wrote them."""

    id: str
    data: dict[str, Any]
    root: Path = REPO_ROOT / "knowledge"  # the knowledge folder: dpas.yaml and platforms.yaml live here

    @property
    def steps(self) -> dict[str, dict[str, Any]]:
        """Steps by id, in file order."""
        return self.data["steps"]

    @property
    def start(self) -> str:
        """The first step."""
        return self.data.get("start") or next(iter(self.steps))

    @property
    def summary(self) -> str | None:
        """The id of the summary step, if the flow has one."""
        return next((sid for sid, step in self.steps.items() if step["kind"] == "summary"), None)

    def step_of_kind(self, kind: str) -> str | None:
        """The first step of a kind (the country step, the region step)."""
        return next((sid for sid, step in self.steps.items() if step["kind"] == kind), None)


def text_of(node: Any, lang: str) -> str:
    """A per-language text ({en, fr, de}), English when a translation is missing."""
    if isinstance(node, dict):
        return str(node.get(lang) or node.get("en") or "")
    return "" if node is None else str(node)


def fold(text: str) -> str:
    """Comparison and sort key: 'Österreich' sorts with the O's, 'france' matches 'France'."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).casefold().strip()


def value_of(flow: Flow, sid: str, answers: dict[str, Any]) -> Any:
    """An answer's value: a choice's `value` (e.g. a list of platforms) or the answer itself."""
    answer = answers.get(sid)
    step = flow.steps.get(sid, {})
    if step.get("kind") == "choice":
        choice = next((c for c in step["choices"] if c["id"] == answer), None)
        return choice.get("value", answer) if choice else None
    return answer


def fill(template: str, values: dict[str, Any]) -> str:
    """Fill {placeholders}; a missing one fails loudly rather than showing '{name}'."""
    names = {name for _, name, _, _ in Formatter().parse(template) if name}
    missing = names - values.keys()
    if missing:
        raise LegalbotError(f"A flow text needs values for {sorted(missing)}: {template[:60]!r}")
    # An empty optional value ({dpa_note}) must not leave a gap of blank lines behind.
    return re.sub(r"\n{3,}", "\n\n", template.format(**values)).strip()


def token(flow: str, step: str, action: str) -> str:
    """Callback data for a button; `go:` actions (start another flow) pass through unchanged."""
    return action if action.startswith("go:") else f"{TOKEN_PREFIX}:{flow}:{step}:{action}"


def parse_token(data: str) -> tuple[str, str, str] | None:
    """(flow, step, action) from callback data, or None when it is not a flow button."""
    parts = (data or "").split(":", 3)
    if len(parts) != 4 or parts[0] != TOKEN_PREFIX or not all(parts[1:]):
        return None
    return parts[1], parts[2], parts[3]


def load_flow(path: Path) -> Flow:
    """Read one flow file and check its shape (kinds, targets, languages)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LegalbotError(f"Cannot read the flow file {path}: {exc}") from exc
    flow = Flow(str(data.get("id") or path.stem), data, path.resolve().parent.parent)
    problems = check(flow)
    if problems:
        raise LegalbotError(f"{path}: " + "; ".join(problems))
    return flow


@lru_cache(maxsize=4)
def load_flows(folder: Path) -> dict[str, Flow]:
    """Every flow in knowledge/flows/, by id."""
    flows = {}
    for path in sorted(folder.glob("*.yaml")):
        flow = load_flow(path)
        flows[flow.id] = flow
    return flows


def targets(step: dict[str, Any]) -> list[str]:
    """Every step id a step can lead to."""
    nxt = step.get("next")
    if nxt is None:
        return []
    return [nxt] if isinstance(nxt, str) else [branch["goto"] for branch in nxt]


def _texts(node: Any, where: str) -> list[str]:
    """Problems with one per-language text."""
    if not isinstance(node, dict):
        return [f"{where} is not a text per language"]
    return [f"{where} has no {lang} text" for lang in LANGS if not str(node.get(lang) or "").strip()]


def check(flow: Flow) -> list[str]:
    """Shape problems: unknown kinds, missing targets, missing languages, unreachable steps."""
    problems = _texts(flow.data.get("title"), "title")
    if flow.start not in flow.steps:
        problems.append(f"start step {flow.start!r} does not exist")
    for sid, step in flow.steps.items():
        if step.get("kind") not in KINDS:
            problems.append(f"step {sid}: kind must be one of {KINDS}")
            continue
        problems += _texts(step.get("text"), f"step {sid} text")
        problems += [f"step {sid} needs {key!r}" for key in REQUIRED.get(step["kind"], ()) if key not in step]
        if step["kind"] in QUESTIONS:
            problems += _texts(step.get("summary"), f"step {sid} summary")
        for choice in step.get("choices", []):
            problems += _texts(choice.get("label"), f"step {sid} choice {choice.get('id')}")
        for key in ("outside", "skip", "confirm", "empty", "none_clause", "default_note"):
            if key in step:
                problems += _texts(step[key], f"step {sid} {key}")
        for index, part in enumerate(step.get("parts", [])):
            problems += _texts(part.get("text"), f"step {sid} part {index}")
            for button in part.get("buttons", []):
                problems += _texts(button.get("label"), f"step {sid} part {index} button")
        for button in step.get("buttons", []):
            problems += _texts(button.get("label"), f"step {sid} button {button.get('action')}")
        problems += [f"step {sid} leads to unknown step {t!r}" for t in targets(step) if t not in flow.steps]
        if not (step.get("end") or step.get("halt")) and not targets(step):
            problems.append(f"step {sid} has no next step and is neither an end nor a halt")
        if isinstance(step.get("next"), list) and "if" in step["next"][-1]:
            problems.append(f"step {sid}: the last branch of next must have no condition (the default)")
    for name, template in flow.data.get("templates", {}).items():
        problems += _texts(template, f"template {name}")
    return problems + [f"step {sid} cannot be reached" for sid in flow.steps.keys() - reachable(flow)]


def reachable(flow: Flow) -> set[str]:
    """Steps reachable from the start through any branch."""
    seen: set[str] = set()
    todo = [flow.start]
    while todo:
        sid = todo.pop()
        if sid in seen or sid not in flow.steps:
            continue
        seen.add(sid)
        todo += targets(flow.steps[sid])
    return seen

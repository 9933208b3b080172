"""Versioned answer prompts from prompts/<name>.md, checked for their variables when loaded."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from langchain_core.prompts import ChatPromptTemplate

from bot.errors import LegalbotError

DEFAULT_PROMPT = "answer.v1"
# What the chain fills in; a prompt that lacks one (or invents another) would fail on the first question instead.
VARIABLES = frozenset({"language", "documents", "question"})
_FRONT = re.compile(r"\A---\n(?P<meta>.*?)\n---\n(?P<body>.*)\Z", re.DOTALL)
_SECTION = re.compile(r"^## (system|user)\s*$", re.MULTILINE)


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class AnswerPrompt:
    """A chat prompt and the version recorded with every answer it produces."""

    version: str
    template: ChatPromptTemplate

    @property
    def fixed_text(self) -> tuple[str, ...]:
        """The prompt's own wording without its variables: an answer that repeats it is leaking the prompt."""
        return tuple(part for message in self.template.messages
                     for part in _PLACEHOLDER.split(getattr(getattr(message, "prompt", None), "template", "")))


def load_prompt(folder: Path, name: str = DEFAULT_PROMPT) -> AnswerPrompt:
    """Read prompts/<name>.md: front matter, then a `## system` and a `## user` section."""
    path = folder / f"{name}.md"
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LegalbotError(f"Cannot read the prompt {path}: {exc}") from exc
    match = _FRONT.match(source)
    if not match:
        raise LegalbotError(f"{path} must start with front matter between '---' lines.")
    meta = yaml.safe_load(match["meta"]) or {}
    parts = _SECTION.split(match["body"])
    sections = dict(zip(parts[1::2], (part.strip() for part in parts[2::2]), strict=True))
    if set(sections) != {"system", "user"} or len(parts) != 5:
        raise LegalbotError(f"{path} needs exactly one '## system' and one '## user' section.")
    template = ChatPromptTemplate.from_messages([("system", sections["system"]), ("human", sections["user"])])
    _check_variables(path, set(template.input_variables), set(meta.get("variables") or ()))
    return AnswerPrompt(version=name, template=template)


def _check_variables(path: Path, used: set[str], declared: set[str]) -> None:
    """Fail now, naming the culprits, when the text and the chain disagree on variables."""
    problems = []
    if missing := VARIABLES - used:
        problems.append(f"missing {sorted(missing)}")
    if unknown := used - VARIABLES:
        problems.append(f"unknown {sorted(unknown)} (write literal braces as {{{{ }}}})")
    if declared != VARIABLES:
        problems.append(f"front matter declares {sorted(declared)}, expected {sorted(VARIABLES)}")
    if problems:
        raise LegalbotError(f"{path}: prompt variables: {'; '.join(problems)}.")

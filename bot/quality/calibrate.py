"""`legalbot calibrate`: choose the per-language answer gates on the dev set (never on the held-out set)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace
from itertools import product
from pathlib import Path

import numpy as np
import yaml

from bot.core.assistant import Assistant
from bot.core.compose import ExtractiveComposer
from bot.core.decide import FAQ, LAW, THRESHOLDS_FILE, Gate, Thresholds, decide
from bot.core.intents import IntentScores
from bot.core.retrieval import Retrieval
from bot.core.types import LANGS
from bot.quality.evaluation import is_hit, load_questions
from bot.settings import Settings

DEV_SET = Path("tests/eval/questions.jsonl")
# What a decision is worth on one dev question. A wrong lead costs more than a right one earns (a confident wrong
# answer is the worst outcome), an answered must-refuse prompt costs most, and refusing a real question costs a little.
# The target is a precision of at least 0.9 on questions nobody tuned on: a wrong lead costs six right ones, so a gate
# admits a kind of question only where the dev set shows it right about six times in seven or better.
@dataclass(frozen=True)
class Costs:
    """What one decision on a dev question is worth."""

    right: float = 1.0
    wrong: float = -6.0
    declined: float = -0.3
    off_topic: float = -20.0


COSTS = Costs()
SCORES = np.round(np.arange(0.82, 0.97, 0.01), 3)
MARGINS = np.round(np.arange(-0.04, 0.10, 0.01), 3)
# Not 1: dense + BM25 (English-only MiniLM, words) are a second opinion, not a judge; asking them to rank the entry
# first made the bot decline "How do I object to Meta using my Instagram posts to train its AI?" because they put
# the neighbouring "what is Meta doing" entry a hair above it.
AGREE = (2, 3, 5, 99)
OFF = Gate(9.0, 9.0)
TOLERANCE = 1.0


@dataclass(frozen=True)
class Case:
    """One dev question with its retrieval and intent scores, computed once."""

    retrieval: Retrieval
    intents: IntentScores
    expect: tuple[str, ...]


def value(cases: list[Case], thresholds: Thresholds, costs: Costs = COSTS) -> float:
    """Total worth of the decisions these thresholds make on the cases."""
    total = 0.0
    for case in cases:
        decision = decide(case.retrieval, case.intents, thresholds)
        if not case.expect:
            total += costs.off_topic if decision.answered else 0.0
        elif not decision.answered:
            total += costs.declined
        elif is_hit(decision.lead or "", list(case.expect)):
            total += costs.right
        else:
            total += costs.wrong
    return total


def answers(cases: list[Case], thresholds: Thresholds) -> int:
    """How many of the cases these thresholds answer."""
    return sum(decide(case.retrieval, case.intents, thresholds).answered for case in cases)


def calibrate_lang(cases: list[Case], lang: str, start: Thresholds, costs: Costs = COSTS) -> Thresholds:
    """Entry gate first (law off), then the law gate; the best worth wins each."""
    def with_gate(t: Thresholds, kind: str, gate: Gate) -> Thresholds:
        return replace(t, **{kind: {**getattr(t, kind), lang: gate}})

    current = with_gate(with_gate(start, LAW, OFF), FAQ, OFF)
    for kind in (FAQ, LAW):
        gates = [Gate(float(s), float(m), a) for s, m, a in product(SCORES, MARGINS, AGREE)]
        worth = {gate: value(cases, with_gate(current, kind, gate), costs) for gate in gates}
        # A small dev set has wide plateaus. Of the gates within one right answer of the best worth, take the one
        # that answers most (the cost of a wrong answer already keeps it careful), then the strictest.
        near = [gate for gate in gates if worth[gate] >= max(worth.values()) - TOLERANCE]
        answered = {gate: answers(cases, with_gate(current, kind, gate)) for gate in near}
        current = with_gate(current, kind, max(near, key=lambda g: (answered[g], g.score, g.margin, -g.agree)))
    return current


def run_calibrate(args: argparse.Namespace, settings: Settings) -> int:
    """Compute the gates per language on the dev set, print them, and write them with --write."""
    assistant = Assistant.from_settings(settings, composer=ExtractiveComposer())
    by_lang: dict[str, list[Case]] = {lang: [] for lang in LANGS}
    for question in load_questions(args.file):
        lang = assistant.language_of(question["q"], question["lang"])
        retrieval, intents = assistant.search(question["q"], lang, 8)
        by_lang[lang].append(Case(retrieval, intents, tuple(question["expect"])))
    thresholds = Thresholds.load()
    costs = COSTS if args.wrong_cost is None else replace(COSTS, wrong=args.wrong_cost)
    for lang, cases in by_lang.items():
        if args.folds > 1:
            from bot.quality.crossval import cross_validate  # imports this module

            print(cross_validate(cases, lang, thresholds, args.folds, costs).row(lang), flush=True)
        thresholds = calibrate_lang(cases, lang, thresholds, costs)
        print(f"{lang}: faq {thresholds.faq[lang]}, law {thresholds.law[lang]}; "
              f"worth {value(cases, thresholds, costs):.1f} on {len(cases)} dev questions", flush=True)
    if args.write:
        write_thresholds(thresholds, THRESHOLDS_FILE)
        print(f"written to {THRESHOLDS_FILE}")
    return 0


def write_thresholds(thresholds: Thresholds, path: Path) -> None:
    """Replace the figures in knowledge/answerability.yaml, keeping its explanatory header."""
    header = "".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                     if line.startswith("#"))
    data = {
        kind: {lang: {"score": g.score, "margin": g.margin, "agree": g.agree} for lang, g in gates.items()}
        for kind, gates in (("faq", thresholds.faq), ("law", thresholds.law))
    }
    path.write_text(header + yaml.safe_dump(data, sort_keys=False, default_flow_style=None), encoding="utf-8")

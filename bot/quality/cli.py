"""`legalbot eval`: print recall, MRR and refusal figures; optionally write per-question rows."""

from __future__ import annotations

import argparse

from bot.core.assistant import Assistant
from bot.core.compose import ExtractiveComposer
from bot.quality.evaluation import evaluate, load_questions, write_rows
from bot.settings import Settings


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Evaluate retrieval on a question file with one model load."""
    questions = load_questions(args.file)
    assistant = Assistant.from_settings(settings, composer=ExtractiveComposer())  # retrieval needs no LLM
    result = evaluate(assistant, questions, k=args.k)
    print(result.table())
    if args.show_misses:
        for lang, scores in result.scores.items():
            for question in scores.misses:
                print(f"miss [{lang}] {question}")
    if args.out:
        write_rows(result.rows, args.out)
    if args.composer:
        from bot.quality.answers import run_answer_eval

        return run_answer_eval(assistant, questions, settings, args.composer)
    return 0

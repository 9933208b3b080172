"""`legalbot eval`: print recall, MRR and refusal figures; optionally write per-question rows."""

from __future__ import annotations

import argparse

from bot.core.assistant import Assistant
from bot.evaluation import evaluate, load_questions, write_rows
from bot.settings import Settings


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Evaluate retrieval on a question file with one model load."""
    questions = load_questions(args.file)
    assistant = Assistant.from_settings(settings)
    result = evaluate(assistant, questions, k=args.k)
    print(result.table())
    if args.show_misses:
        for lang, scores in result.scores.items():
            for question in scores.misses:
                print(f"miss [{lang}] {question}")
    if args.out:
        write_rows(result.rows, args.out)
    return 0

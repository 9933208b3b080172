"""The `legalbot` command line: run, chat, ask, ingest, eval, bench and the staff tools."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from bot.errors import LegalbotError


def _parser() -> argparse.ArgumentParser:
    """All sub-commands and their options."""
    parser = argparse.ArgumentParser(prog="legalbot", description="The NGO's GDPR legal assistant.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start the Telegram bot (console chat when no token is set)")
    run.add_argument("--webhook", metavar="URL", help="public HTTPS URL for webhook mode (default: long polling)")
    run.add_argument("--listen", default="0.0.0.0", help="webhook listen address")
    run.add_argument("--port", type=int, default=8443, help="webhook port")
    sub.add_parser("chat", help="console chat on the same engine")
    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--lang", choices=["en", "fr", "de"])
    ask.add_argument("--json", action="store_true", help="machine-readable output")
    ingest = sub.add_parser("ingest", help="index the corpus and knowledge/ into Chroma")
    ingest.add_argument("--fetch", action="store_true", help="download official texts from EUR-Lex first")
    ingest.add_argument("--if-stale", action="store_true", help="do nothing when the index is up to date")
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")
    evaluate = sub.add_parser("eval", help="retrieval recall, MRR and refusals on a JSONL question set")
    evaluate.add_argument("file", type=Path)
    evaluate.add_argument("--k", type=int, default=5)
    evaluate.add_argument("--out", type=Path)
    evaluate.add_argument("--composer", help="also score generated answers with this composer")
    evaluate.add_argument("--show-misses", action="store_true")
    calibrate = sub.add_parser("calibrate", help="choose the answer gates per language on the dev set")
    calibrate.add_argument("file", type=Path, nargs="?", default=Path("tests/eval/questions.jsonl"))
    calibrate.add_argument("--write", action="store_true", help="write them to knowledge/answerability.yaml")
    calibrate.add_argument("--folds", type=int, default=0, help="also report k-fold out-of-fold figures")
    calibrate.add_argument("--wrong-cost", type=float, default=None, help="worth of a wrong lead (default -6)")
    bench = sub.add_parser("bench", help="latency, recall and start-up figures against baselines")
    bench.add_argument("--questions", type=Path, default=Path("tests/eval/questions.jsonl"))
    signups = sub.add_parser("signups", help="class-action sign-up records")
    signups.add_argument("action", choices=["export"])
    signups.add_argument("--out", type=Path, required=True)
    faq = sub.add_parser("faq", help="vetted FAQ entries")
    faq.add_argument("action", choices=["export", "import"])
    faq.add_argument("--dir", type=Path, default=None, help="folder of FAQ files (default knowledge/faq)")
    db = sub.add_parser("db", help="database schema and moves")
    db.add_argument("action", choices=["upgrade", "copy"])
    db.add_argument("--from", dest="source", help="copy: source URL (sqlite:///data/legalbot.sqlite3)")
    db.add_argument("--to", dest="target", help="copy: target URL (postgresql://user@host/db)")

    from bot.broadcast.cli import add_parser

    add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; operator errors become one clear line and exit code 2."""
    args = _parser().parse_args(argv)
    from bot.settings import get_settings

    try:
        settings = get_settings()
        logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        return _dispatch(args, settings)
    except LegalbotError as exc:
        print(f"legalbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`legalbot ask … | head -3`): stop quietly, and keep Python's exit-time flush quiet too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _dispatch(args: argparse.Namespace, settings) -> int:
    """Run one sub-command."""
    if args.command == "ingest":
        from ingest.run import is_stale, run_ingest

        if args.if_stale and not is_stale(settings):
            print("The index is up to date.")
            return 0
        run_ingest(settings, fetch=args.fetch, progress=not args.quiet)
        return 0
    if args.command == "ask":
        return _ask(args, settings)
    if args.command == "eval":
        from bot.quality.cli import run_eval

        return run_eval(args, settings)
    if args.command == "calibrate":
        from bot.quality.calibrate import run_calibrate

        return run_calibrate(args, settings)
    if args.command == "bench":
        from bot.quality.bench import run_bench

        return run_bench(args, settings)
    if args.command in ("chat", "run"):
        if args.command == "run" and settings.telegram_token:
            from bot.telegram.app import run_bot

            return run_bot(settings, webhook=args.webhook, listen=args.listen, port=args.port)
        from bot.console.chat import run_console

        if args.command == "run":
            print("No LEGALBOT_TELEGRAM_TOKEN set: starting the console chat instead.")
        return run_console(settings)
    if args.command == "signups":
        from bot.storage.export import export_signups

        print(f"{export_signups(settings, args.out)} records written to {args.out}")
        return 0
    if args.command == "broadcast":
        from bot.broadcast.cli import run_broadcast

        return run_broadcast(args, settings)
    if args.command == "faq":
        from bot.support.faq_files import run_faq_files

        return run_faq_files(settings, args.action, args.dir)
    if args.command == "db":
        return _db(args, settings)
    raise LegalbotError(f"Unknown command {args.command}")


def _db(args: argparse.Namespace, settings) -> int:
    """Apply migrations to the configured database, or copy one database into another."""
    if args.action == "upgrade":
        from bot.storage.database import Database
        from bot.storage.migrate import current

        db = Database(settings.storage_target)
        print(f"The database is at revision {current(db.engine)}.")
        db.close()
        return 0
    if not (args.source and args.target):
        raise LegalbotError("db copy needs --from URL and --to URL.")
    from bot.storage.copy import copy_database

    for table, count in copy_database(args.source, args.target).items():
        print(f"{table}: {count} rows")
    return 0


def _ask(args: argparse.Namespace, settings) -> int:
    """Answer one question on stdout, as text or as the JSON contract."""
    from bot.core.assistant import Assistant
    from bot.core.compose import render_plain

    assistant = Assistant.from_settings(settings)
    answer = assistant.ask(args.question, args.lang)
    if not args.json:
        print(render_plain(answer))
        return 0
    payload = {
        "answer": render_plain(answer),
        "lang": answer.lang,
        "in_scope": answer.in_scope,
        "citations": [_citation(c) for c in answer.citations],
        "passages": [{"id": p.source_id, "score": p.score, "lang": p.lang} for p in answer.passages],
        "lead": answer.lead_id,
        "quote": _citation(answer.quote) if answer.quote else None,
        "answer_kind": answer.answer_kind,
    }
    print(json.dumps(payload, ensure_ascii=False, indent=2))
    return 0


def _citation(citation) -> dict[str, str]:
    """A citation as the JSON contract shows it."""
    return {"id": citation.id, "label": citation.label, "url": citation.url}


if __name__ == "__main__":
    sys.exit(main())

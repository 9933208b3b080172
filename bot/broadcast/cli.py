"""`legalbot broadcast send FILE.md | status ID | stats ID`: the staff's campaign updates from the command line.

The command only stores and confirms the broadcast; the running bot (any worker) sends it at the shared pace.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from bot.broadcast.model import CONTROLS, Audience
from bot.broadcast.preview import parse_file, status_text, summary
from bot.broadcast.store import BroadcastStore
from bot.errors import LegalbotError
from bot.settings import Settings
from bot.storage import open_storage

LANG = "en"  # operator output


def add_parser(sub: argparse._SubParsersAction) -> None:
    """The `broadcast` sub-command and its actions."""
    parser = sub.add_parser("broadcast", help="campaign updates to the people who agreed to receive them")
    actions = parser.add_subparsers(dest="action", required=True)
    send = actions.add_parser("send", help="preview, confirm and queue an update written in FILE.md")
    send.add_argument("file", type=argparse.FileType("r", encoding="utf-8"))
    send.add_argument("--yes", action="store_true", help="confirm without asking (for scripts)")
    send.add_argument("--dry-run", action="store_true", help="stop after the preview")
    send.add_argument("--button-url", help="https:// link of the button ('button: Label' ends each section)")
    send.add_argument("--country", action="append", default=[], help="only people in this country (repeatable)")
    send.add_argument("--signed-up", choices=["yes", "no"], help="only people signed up (yes) or not (no)")
    for name, text in (("status", "where a broadcast stands"), ("stats", "delivered, blocked, failed (no user ids)"),
                       ("pause", "pause a running broadcast"), ("resume", "resume a paused broadcast"),
                       ("cancel", "stop a broadcast for good"),
                       ("resend-uncertain", "send again to those a crash left uncertain (they may get it twice)")):
        actions.add_parser(name, help=text).add_argument("id", type=int)


def run_broadcast(args: argparse.Namespace, settings: Settings, ask: Callable[[str], str] = input) -> int:
    """Run one action; returns the exit code."""
    storage = open_storage(settings.storage_target)
    try:
        store = BroadcastStore(storage.db)
        if args.action == "send":
            return _send(args, settings, store, ask)
        if store.get(args.id) is None:
            raise LegalbotError(f"There is no broadcast #{args.id}.")
        if args.action in CONTROLS:
            changed = store.set_status(args.id, *CONTROLS[args.action])
        elif args.action == "resend-uncertain":
            changed = store.resend_uncertain(args.id) > 0
        else:
            changed = True
        progress = store.progress(args.id)
        assert progress is not None
        if not changed:
            print(f"Broadcast #{args.id} is {progress.status}: nothing to {args.action}.")
            return 1
        if args.action != "stats":
            print(status_text(progress, settings.send_rate_per_s, LANG))
        else:
            print(f"broadcast #{progress.broadcast_id} ({progress.status})")
            for label, state in (("delivered", "sent"), ("blocked", "blocked"), ("failed", "failed"),
                                 ("uncertain", "uncertain"), ("withdrawn", "withdrawn"), ("cancelled", "cancelled"),
                                 ("remaining", "pending")):
                print(f"{label}: {progress.n(state) + (progress.n('sending') if state == 'pending' else 0)}")
        return 0
    finally:
        storage.db.close()


def _send(args: argparse.Namespace, settings: Settings, store: BroadcastStore, ask: Callable[[str], str]) -> int:
    """Preview, then confirm (or not) and print the id."""
    signed = None if args.signed_up is None else args.signed_up == "yes"
    draft = parse_file(args.file.read(), Audience(tuple(c.upper() for c in args.country), signed), args.button_url)
    for lang, text in draft.texts.items():
        button = draft.button_for(lang)
        print(f"--- {lang} ---\n{text}" + (f"\n[{button[0]}]({button[1]})" if button else ""))
    preview = store.preview(draft, settings.send_rate_per_s)
    print("---\n" + summary(preview, draft, LANG))
    if args.dry_run:
        print("Dry run: nothing stored, nothing sent.")
        return 0
    if preview.total == 0:
        print("Nobody would receive it: nothing stored.")
        return 1
    if not args.yes:
        try:
            answer = ask(f"Send to {preview.total} people? It cannot be recalled. Type yes to confirm: ")
        except EOFError:
            answer = ""
        if answer.strip().lower() != "yes":
            print("Not confirmed: nothing stored, nothing sent.")
            return 1
    broadcast_id = store.create(draft, None)
    count = store.confirm(broadcast_id, None)
    print(f"Broadcast #{broadcast_id} confirmed for {count} recipients; the running bot sends it.")
    print(broadcast_id)
    return 0

"""Placeholder: the flows handlers are being written (see the issue tracker)."""

from telegram.ext import Application


def register(app: Application) -> None:
    """Nothing yet."""

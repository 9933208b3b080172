"""Persistence behind one small interface; SQLite by default."""

from bot.storage.store import Storage, open_storage

__all__ = ["Storage", "open_storage"]

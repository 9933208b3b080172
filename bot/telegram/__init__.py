"""Telegram adapter: thin python-telegram-bot handlers over the transport-free core."""

"""The console chat: the same engine as Telegram, in a terminal."""

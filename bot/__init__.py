"""The NGO's legal assistant: Telegram bot, console chat and their transport-free core."""

import os

# Set before numpy loads (every entry point imports this package first). The bot's matrix products are small (a
# question against 1,300 intent vectors); OpenBLAS's default of a thread per core made its idle threads spin after
# each one, burning the core the answer's other thread needed: 80 ms of CPU per answer instead of 50 (measured).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

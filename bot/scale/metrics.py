"""Prometheus metrics of a worker: counts and timings only, never a user id, a name or a message."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

UPDATES_RECEIVED = Counter("legalbot_updates_received_total", "Updates accepted by the webhook (retries included).")
UPDATES_DUPLICATE = Counter("legalbot_updates_duplicate_total", "Webhook deliveries of an update already stored.")
UPDATES_PROCESSED = Counter("legalbot_updates_processed_total", "Updates handled to the end.")
UPDATE_ERRORS = Counter("legalbot_update_errors_total", "Updates whose handling raised an error.")
UPDATES_TAKEN_OVER = Counter("legalbot_updates_retried_total", "Updates claimed again after a lease ran out.")
TOO_MANY_REQUESTS = Counter("legalbot_telegram_429_total", "429 answers from the Bot API.")
SENDS_SKIPPED = Counter("legalbot_sends_skipped_total", "Sends a retried update had already made (not repeated).")
LATENCY = Histogram(
    "legalbot_update_seconds", "From the webhook's commit to the end of handling.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32),
)
QUEUE_DEPTH = Gauge("legalbot_inbox_depth", "Updates stored and not yet handled (read at scrape time).")

"""What several workers share: the Redis-backed limits, the PostgreSQL inbox, the worker's HTTP server."""

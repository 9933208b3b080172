"""Transport-free core: retrieval, answers, flows and storage-facing logic."""

"""One module per flow; each exposes `register(application)`."""

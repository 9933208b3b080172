"""The one error type the CLI turns into a single clear line for the operator."""


class LegalbotError(Exception):
    """A problem the operator can fix (config, missing index, model mismatch); the message says how."""

"""`python -m ingest`: the same as `legalbot ingest`."""

import sys

from bot.__main__ import main

if __name__ == "__main__":
    sys.exit(main(["ingest", *sys.argv[1:]]))

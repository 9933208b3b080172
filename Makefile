# The two commands of the README (`make run`, `make test`) and a few more for maintainers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The official texts live beside the checkout; ingest indexes knowledge/ alone when they are absent.
export LEGALBOT_CORPUS_DIR ?= $(abspath ../shared/corpus)

.PHONY: install run chat ingest test eval bench lint loadtest

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev,openai]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/legalbot ingest --if-stale
	$(BIN)/legalbot run

chat: install
	$(BIN)/legalbot ingest --if-stale
	$(BIN)/legalbot chat

ingest: install
	$(BIN)/legalbot ingest

test: install
	$(BIN)/python -m pytest -q -p no:cacheprovider

eval: install
	$(BIN)/legalbot ingest --if-stale --quiet
	$(BIN)/legalbot eval tests/eval/questions.jsonl --show-misses

bench: install
	$(BIN)/legalbot ingest --if-stale --quiet
	$(BIN)/legalbot bench

# Not part of `make test`: nginx, two workers, PostgreSQL, Redis, a Chroma server and 2,000 users (about 10 minutes).
loadtest: install
	$(BIN)/python -m tests.load.run

lint: install
	$(BIN)/ruff check bot ingest tests

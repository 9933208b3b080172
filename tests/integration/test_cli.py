"""The command line as operators and external harnesses use it: JSON contract, eval output, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def legalbot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ...` in a child process."""
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_ask_json_contract(indexed: Settings) -> None:
    """`ask --json` gives answer, lang, in_scope, citations and passages, and cites only returned passages."""
    run = legalbot("ask", "Kann ich der Nutzung meiner Fotos für Metas KI widersprechen?", "--json",
                   env={"LEGALBOT_DATA_DIR": str(indexed.data_dir)})
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert set(data) == {"answer", "lang", "in_scope", "citations", "passages", "lead", "quote", "answer_kind"}
    assert data["lang"] == "de" and data["in_scope"] is True
    # The objection FAQ leads, and the quote (if any) is from Art. 21, which that FAQ rests on.
    assert data["answer_kind"] == "faq" and data["lead"].split("#")[0] in ("faq/how-to-object", "guide/object-meta-ai")
    assert data["quote"] is None or data["quote"]["id"].startswith("gdpr/art-21")
    assert data["citations"][0]["id"] == data["lead"]
    assert data["citations"] and all({"id", "label", "url"} <= set(c) for c in data["citations"])
    returned = {p["id"].split("#")[0] for p in data["passages"]}
    assert {c["id"].split("#")[0] for c in data["citations"]} <= returned
    assert "Keine Rechtsberatung" in data["answer"] or "keine Rechtsberatung" in data["answer"]


def test_ask_refuses_off_topic_in_the_asked_language(indexed: Settings) -> None:
    """An off-topic question is refused politely, with no citations."""
    run = legalbot("ask", "Quelle est la meilleure recette de crêpes ?", "--lang", "fr", "--json",
                   env={"LEGALBOT_DATA_DIR": str(indexed.data_dir)})
    data = json.loads(run.stdout)
    assert data["in_scope"] is False and data["citations"] == [] and data["lang"] == "fr"
    assert data["answer_kind"] == "refused" and data["lead"] is None and data["quote"] is None
    assert "/object" in data["answer"]


def test_ask_says_it_does_not_know_and_offers_topics(indexed: Settings) -> None:
    """On-topic but not covered: an honest 'I can't answer that' with the closest topics and /human, no 'Yes'."""
    run = legalbot("ask", "What will Meta's share of the EU advertising market be in 2030?", "--lang", "en", "--json",
                   env={"LEGALBOT_DATA_DIR": str(indexed.data_dir)})
    data = json.loads(run.stdout)
    assert data["answer_kind"] in ("unknown", "refused") and data["in_scope"] is False
    assert data["citations"] == [] and not data["answer"].startswith(("Yes", "No"))
    assert "/human" in data["answer"]


def test_a_reader_that_goes_away_gets_no_traceback(indexed: Settings) -> None:
    """`legalbot ask … | head -1` ends quietly: no BrokenPipeError on stderr."""
    command = f"{sys.executable} -m bot ask 'How do I object to Meta using my posts?' | head -1"
    run = subprocess.run(["bash", "-c", f"set -o pipefail; {command}"], capture_output=True, text=True, cwd=REPO,
                         env={**os.environ, "LEGALBOT_DATA_DIR": str(indexed.data_dir)}, timeout=300)
    assert run.stdout.strip() and "Traceback" not in run.stderr and "BrokenPipe" not in run.stderr


def test_eval_prints_figures_and_writes_rows(indexed: Settings, tmp_path: Path) -> None:
    """`eval --out` prints per-language figures and writes one ranked row per question."""
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"q": "Is it too late to object?", "lang": "en", "expect": ["faq/object-deadline"]}\n'
        '{"q": "wie wird das Wetter morgen", "lang": "de", "expect": []}\n', encoding="utf-8")
    out = tmp_path / "rows.jsonl"
    run = legalbot("eval", str(questions), "--out", str(out), env={"LEGALBOT_DATA_DIR": str(indexed.data_dir)})
    assert run.returncode == 0, run.stderr
    assert "recall@5" in run.stdout and "refused: 1.000" in run.stdout and "precision" in run.stdout
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["in_scope"] for r in rows] == [True, False]
    assert set(rows[0]) == {"q", "lang", "ranked", "in_scope", "lead", "quote", "answer_kind"}
    # "ranked" starts with what the user is shown: the lead first.
    assert rows[0]["ranked"][0] == rows[0]["lead"].split("#")[0]
    assert rows[1]["lead"] is None and rows[1]["ranked"]


def test_broken_config_is_one_clear_line(tmp_path: Path) -> None:
    """A bad setting stops the command with exit code 2 and names the variable."""
    run = legalbot("ask", "hello", env={"LEGALBOT_FLOOD_LIMIT": "many", "LEGALBOT_DATA_DIR": str(tmp_path)})
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0 and "LEGALBOT_FLOOD_LIMIT" in run.stderr


def test_env_example_lists_every_setting() -> None:
    """.env.example is in sync with the settings (regenerate with bot.settings.env_example)."""
    from bot.settings import env_example

    assert (REPO / ".env.example").read_text(encoding="utf-8") == env_example()

"""The walkthrough engine: transitions, conditions, back, edit from the summary, stale buttons, and the real flows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.flows import apply, start
from bot.core.flows import docs as flow_docs
from bot.core.flows.engine import advance, effective, matches, next_step, path
from bot.core.flows.model import MAX_TOKEN, Flow, State, View, check, load_flow, load_flows, token
from bot.core.flows.render import country_pages, match_text, render
from bot.core.types import LANGS
from bot.errors import LegalbotError
from bot.settings import REPO_ROOT, Settings

FLOWS = REPO_ROOT / "knowledge" / "flows"


def tr(text: str) -> dict[str, str]:
    """The same text in the three languages (enough for a test flow)."""
    return {lang: f"{text} ({lang})" for lang in LANGS}


def make_flow(**overrides: Any) -> Flow:
    """A small flow with every kind of step; overrides replace whole steps."""
    steps: dict[str, Any] = {
        "pick": {"kind": "choice", "text": tr("Pick"), "summary": tr("Pick"),
                 "choices": [{"id": "a", "label": tr("A")}, {"id": "b", "label": tr("B")}],
                 "next": [{"if": {"pick": "b"}, "goto": "note"}, {"goto": "where"}]},
        "note": {"kind": "info", "text": tr("Note"), "next": "where"},
        "where": {"kind": "country", "text": tr("Where"), "summary": tr("Where"), "outside": tr("Out"),
                  "next": [{"if": {"where": "DE"}, "goto": "land"}, {"goto": "tags"}]},
        "land": {"kind": "region", "of": "where", "text": tr("Land"), "summary": tr("Land"), "skip": tr("Skip"),
                 "next": "tags"},
        "tags": {"kind": "multi", "text": tr("Tags"), "summary": tr("Tags"), "empty": tr("none"), "min": 0,
                 "choices": [{"id": "x", "label": tr("X")}, {"id": "y", "label": tr("Y")},
                             {"id": "no", "label": tr("No"), "exclusive": True}],
                 "next": "check"},
        "check": {"kind": "summary", "text": tr("Check"), "confirm": tr("OK"), "next": "end"},
        "end": {"kind": "info", "end": True, "text": tr("Done {pick}")},
    }
    steps.update(overrides)
    return Flow("t", {"id": "t", "title": tr("test"), "start": "pick", "steps": steps})


def press(flow: Flow, state: State, action: str, step: str | None = None) -> tuple[State, str]:
    """Press a button of the current step (or of an older one)."""
    return advance(flow, state, token(flow.id, step or state.step, action))


def walk(flow: Flow, *actions: str) -> State:
    """Start and press each action on whatever step is current; every press must move or toggle."""
    state = start(flow)
    for action in actions:
        state, outcome = press(flow, state, action)
        assert outcome in ("moved", "same"), (action, outcome)
    return state


def actions(view: View) -> list[str]:
    """Every button token of a view and its parts."""
    rows = list(view.buttons) + [row for part in view.parts for row in part.buttons]
    return [button.action for row in rows for button in row]


# --- transitions and conditions
def test_choice_moves_on_and_conditions_pick_the_branch() -> None:
    flow = make_flow()
    assert walk(flow, "c:a").step == "where"
    assert walk(flow, "c:b").step == "note"
    assert walk(flow, "c:a", "c:FR").step == "tags"
    assert walk(flow, "c:a", "c:DE").step == "land"
    assert walk(flow, "c:a", "c:DE", "c:DE-BE", "ok").step == "check"


def test_conditions_on_lists_negation_and_membership() -> None:
    answers = {"where": "DE", "tags": ["x", "y"]}
    assert matches({"where": ["AT", "DE"]}, answers)
    assert matches({"tags": "y"}, answers)
    assert not matches({"tags": "no"}, answers)
    assert matches({"where": {"not": "OUT"}}, answers)
    assert not matches({"where": {"not": ["DE", "AT"]}}, answers)
    assert matches({}, answers)


def test_invalid_choice_is_refused_without_change() -> None:
    flow = make_flow()
    state = start(flow)
    assert press(flow, state, "c:zzz") == (state, "invalid")
    assert press(flow, state, "t:a") == (state, "invalid")


# --- back
def test_back_returns_to_the_previous_step_and_keeps_answers() -> None:
    flow = make_flow()
    state = walk(flow, "c:b", "ok", "c:FR")
    assert state.step == "tags" and state.history == ("pick", "note", "where")
    state, outcome = press(flow, state, "back")
    assert (outcome, state.step, state.answers["where"]) == ("moved", "where", "FR")
    view = render(flow, state, "en")
    assert any(b.label == "✓ France" for row in view.buttons for b in row)
    state, _ = press(flow, state, "back")
    state, _ = press(flow, state, "back")
    assert state.step == "pick" and state.answers == {"pick": "b", "where": "FR"}


def test_first_step_offers_cancel_instead_of_back() -> None:
    flow = make_flow()
    state = start(flow)
    view = render(flow, state, "fr")
    assert actions(view)[-1] == token("t", "pick", "cancel")
    assert press(flow, state, "back")[1] == "invalid"
    assert press(flow, state, "cancel")[1] == "cancel"


# --- multi
def test_multi_toggles_and_exclusive_choice_clears_the_others() -> None:
    flow = make_flow()
    state = walk(flow, "c:a", "c:FR", "t:x", "t:y")
    assert state.answers["tags"] == ["x", "y"]
    state, outcome = press(flow, state, "t:x")
    assert (outcome, state.answers["tags"]) == ("same", ["y"])
    state, _ = press(flow, state, "t:no")
    assert state.answers["tags"] == ["no"]
    state, _ = press(flow, state, "t:x")
    assert state.answers["tags"] == ["x"]
    labels = [b.label for row in render(flow, state, "en").buttons for b in row]
    assert "✅ X (en)" in labels and "⬜ Y (en)" in labels


def test_multi_minimum_is_enforced() -> None:
    flow = make_flow()
    flow.steps["tags"]["min"] = 1
    state = walk(flow, "c:a", "c:FR")
    assert press(flow, state, "ok")[1] == "invalid"
    state, _ = press(flow, state, "t:y")
    assert press(flow, state, "ok")[0].step == "check"


# --- summary and edit
def test_summary_lists_answers_on_the_path_and_offers_an_edit_for_each() -> None:
    flow = make_flow()
    state = walk(flow, "c:a", "c:DE", "c:DE-BE", "t:x", "ok")
    view = render(flow, state, "en")
    assert "Germany" in view.text and "Berlin" in view.text and "X (en)" in view.text
    edits = [a.rsplit(":", 1)[1] for a in actions(view) if ":e:" in a]
    assert edits == ["pick", "where", "land", "tags"]


def test_edit_from_summary_returns_to_the_summary() -> None:
    flow = make_flow()
    state = walk(flow, "c:a", "c:FR", "ok")
    state, _ = press(flow, state, "e:pick")
    assert state.step == "pick"
    state, _ = press(flow, state, "back")  # Back from an edit goes back to the summary
    assert state.step == "check"
    state, _ = press(flow, state, "e:pick")
    state, _ = press(flow, state, "c:b")  # the new answer opens the info step, then straight to the summary
    assert state.step == "note"
    state, _ = press(flow, state, "ok")
    assert state.step == "check" and state.history == ("pick", "note", "where", "tags")


def test_edit_asks_a_newly_needed_question_and_drops_the_stale_answer() -> None:
    flow = make_flow()
    state = walk(flow, "c:a", "c:FR", "ok", "e:where", "c:DE")
    assert state.step == "land"  # Germany needs the Land, which was never asked
    state, _ = press(flow, state, "c:DE-HH")
    assert state.step == "check"
    state = walk(flow, "c:a", "c:DE", "c:DE-BY", "ok", "e:where", "c:AT")
    assert state.step == "check"
    assert "land" not in effective(flow, state.answers)
    assert "Bayern" not in render(flow, state, "en").text
    assert press(flow, state, "e:land")[1] == "invalid"  # not on the path any more


def test_end_step_renders_done_with_answer_labels() -> None:
    flow = make_flow()
    state = walk(flow, "c:b", "ok", "c:FR", "ok", "ok")
    view = render(flow, state, "de")
    assert view.done and view.text == "Done B (de) (de)" and view.buttons == ()


# --- stale, repeated and forged buttons
def test_old_step_button_is_stale_and_same_answer_is_a_repeat() -> None:
    flow = make_flow()
    state = walk(flow, "c:a", "c:FR")
    assert press(flow, state, "c:b", step="pick") == (state, "stale")
    assert press(flow, state, "c:a", step="pick") == (state, "repeat")
    assert advance(flow, state, "fl:other:tags:ok") == (state, "stale")
    assert advance(flow, state, "zz:forged") == (state, "stale")
    assert advance(flow, state, "fl:t:tags:e:pick")[1] == "invalid"


def test_paging_the_country_keyboard() -> None:
    flow = make_flow()
    state = walk(flow, "c:a")
    new, view = apply(flow, state, token("t", "where", "p:2"), "fr")
    assert new == state and view.edit
    assert token("t", "where", "c:SE") in actions(view)  # Suède is on the last page
    assert token("t", "where", "c:FR") not in actions(view)
    pages = country_pages(flow, "fr")
    assert sum(len(p) for p in pages) == 30 and all(len(p) <= 12 for p in pages)
    firsts = [p[0][1][0] for p in pages]
    assert len(set(firsts)) == len(firsts)  # no letter is split between two pages


def test_typed_answers_match_labels_and_country_names() -> None:
    flow = make_flow()
    state = start(flow)
    assert match_text(flow, state, "b (FR)") == token("t", "pick", "c:b")
    assert match_text(flow, state, "maybe") is None
    where = walk(flow, "c:a")
    assert match_text(flow, where, "  österreich ") == token("t", "where", "c:AT")
    assert match_text(flow, where, "Allemagne") == token("t", "where", "c:DE")
    assert match_text(flow, where, "de") == token("t", "where", "c:DE")
    assert match_text(flow, where, "out (DE)") == token("t", "where", "c:OUT")


def test_missing_placeholder_fails_loudly() -> None:
    flow = make_flow(end={"kind": "info", "end": True, "text": tr("Done {nope}")})
    state = walk(flow, "c:a", "c:FR", "ok", "ok")
    with pytest.raises(LegalbotError, match="nope"):
        render(flow, state, "en")


# --- checking flow files
def test_check_reports_broken_flows() -> None:
    flow = make_flow(note={"kind": "info", "text": {"en": "only English"}, "next": "nowhere"},
                     orphan={"kind": "info", "text": tr("x"), "end": True},
                     where={"kind": "country", "text": tr("W"), "summary": tr("W"), "outside": tr("O"),
                            "next": [{"if": {"where": "DE"}, "goto": "land"}]})
    problems = " | ".join(check(flow))
    assert "note text has no fr text" in problems
    assert "unknown step 'nowhere'" in problems
    assert "orphan cannot be reached" in problems
    assert "last branch" in problems
    assert check(make_flow()) == []


def test_load_flow_rejects_a_broken_file(tmp_path: Path) -> None:
    data = make_flow().data
    data["steps"]["pick"]["kind"] = "dropdown"
    path_ = tmp_path / "flows" / "bad.yaml"
    path_.parent.mkdir()
    path_.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(LegalbotError, match="kind must be one of"):
        load_flow(path_)


# --- the real flow files
REAL_ANSWERS = {
    "object": [{"platforms": "both", "country": "DE", "land": "DE-BE", "situation": ["art9", "children"]},
               {"platforms": "instagram", "country": "OUT", "situation": []},
               {"platforms": "facebook", "country": "DE", "land": "none", "situation": ["private"]}],
    "signup": [{"country": "FR", "platforms": "both", "adult": "yes", "consent": "yes", "contact": "no"},
               {"country": "OUT"}, {"country": "IT", "platforms": "none"},
               {"country": "IT", "platforms": "both", "adult": "no"},
               {"country": "IT", "platforms": "both", "adult": "yes", "consent": "no"}],
}


def test_real_flows_load_and_pass_the_checks() -> None:
    flows = load_flows(FLOWS)
    assert set(flows) == {"object", "signup"}
    for flow in flows.values():
        assert check(flow) == [], flow.id


@pytest.mark.parametrize("flow_id", ["object", "signup"])
@pytest.mark.parametrize("lang", LANGS)
def test_every_step_of_the_real_flows_renders_in_every_language(flow_id: str, lang: str, tmp_path: Path) -> None:
    """All placeholders resolve, every token fits Telegram's 64 bytes, every text is there."""
    flow = load_flows(FLOWS)[flow_id]
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    extra = {"ref": "ABCD-2345", "signup_link": "https://example.org/join?ref=ABCD-2345"}
    seen = set()
    for answers in REAL_ANSWERS[flow_id]:
        reached = path(flow, answers)
        if flow.steps[reached[-1]]["kind"] == "summary":
            reached.append(next_step(flow, reached[-1], answers))  # the end the summary leads to
        seen.update(reached)
        for sid in reached:
            state = State(flow_id, sid, answers, tuple(reached[: reached.index(sid)]))
            values = flow_docs.values(flow, effective(flow, answers), lang, settings, extra)
            view = render(flow, state, lang, values)
            assert view.text.strip() and "{" not in view.text, (sid, view.text)
            for data in actions(view):
                assert len(data.encode()) <= MAX_TOKEN, data
    assert seen == set(flow.steps)  # the sample answers walk every step


def test_objection_text_cites_article_9_only_when_chosen(tmp_path: Path) -> None:
    flow = load_flows(FLOWS)["object"]
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]
    with_art9 = flow_docs.values(flow, {"platforms": "both", "country": "FR", "situation": ["art9"]}, "fr", settings)
    without = flow_docs.values(flow, {"platforms": "both", "country": "FR", "situation": []}, "fr", settings)
    assert "article 21" in with_art9["objection"] and "article 9" in with_art9["objection"]
    assert "article 21" in without["objection"] and "article 9" not in without["objection"]
    assert "CNIL" in with_art9["dpa_name"] and "Facebook et Instagram" in with_art9["complaint"]
    berlin = flow_docs.values(flow, {"country": "DE", "land": "DE-BE"}, "de", settings)
    unsure = flow_docs.values(flow, {"country": "DE", "land": "none"}, "de", settings)
    outside = flow_docs.values(flow, {"country": "OUT"}, "en", settings)
    assert berlin["dpa_name"].startswith("Berliner Beauftragte") and berlin["dpa_note"] == ""
    assert "Hamburg" in unsure["dpa_name"] and unsure["dpa_note"]
    assert "Data Protection Commission" in outside["dpa_name"]


def test_reference_codes_are_short_and_unambiguous() -> None:
    codes = {flow_docs.new_ref() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert len(code) == 9 and code[4] == "-"
        assert not set(code) & set("01ILOU")
    assert flow_docs.signup_link("https://x.org/join?src=bot", "AB") == "https://x.org/join?src=bot&ref=AB"

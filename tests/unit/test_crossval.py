"""Cross-validation inside the dev set: every question is decided by gates calibrated without it."""

from __future__ import annotations

from bot.core.decide import Gate, Thresholds
from bot.core.intents import IntentMatch, IntentScores
from bot.core.retrieval import Retrieval
from bot.core.types import Passage
from bot.quality.calibrate import Case, calibrate_lang, value
from bot.quality.crossval import cross_validate

START = Thresholds(faq={"en": Gate(0.90, 0.03)}, law={"en": Gate(0.88, 0.02)})
HOW = Passage("faq/how-to-object", "FAQ: How to object", "", "en", "Use the form.", kind="faq")


def case(expect: tuple[str, ...], score: float = 0.95) -> Case:
    """A question whose best match is the objection FAQ at `score`."""
    retrieval = Retrieval("q", "en", (HOW,), (), independent=("faq/how-to-object",))
    intents = IntentScores((IntentMatch("faq/how-to-object", "faq", "en", "how do I object", score),), (), None)
    return Case(retrieval, intents, expect)


def test_a_must_refuse_prompt_that_in_sample_calibration_hides_is_reported():
    """Calibrated on all four, the gate declines everything (an answered must-refuse prompt costs most), so in-sample
    the prompt looks refused; calibrated without it, the gate answers it, and the out-of-fold figure says so."""
    cases = [case(("faq/how-to-object",)) for _ in range(3)] + [case(())]
    in_sample = calibrate_lang(cases, "en", START)
    assert value(cases, in_sample) < 0  # it declines all four: the prompt is hidden among refusals
    tally = cross_validate(cases, "en", START, folds=4)
    assert tally.refuse_answered == 1 and tally.must_refuse == 1
    assert (tally.answered, tally.right, tally.answerable) == (0, 0, 3)


def test_out_of_fold_precision_counts_wrong_leads():
    """Six right and one wrong lead at the same score: the wrong one is answered whichever fold it falls in."""
    cases = [case(("faq/how-to-object",)) for _ in range(6)] + [case(("faq/delete-account",))]
    tally = cross_validate(cases, "en", START, folds=7)
    assert (tally.answered, tally.right) == (7, 6)
    assert round(tally.precision, 3) == 0.857

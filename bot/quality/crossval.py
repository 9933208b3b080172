"""How calibrated gates do on dev questions they were not calibrated on: k-fold cross-validation inside the dev set.

The held-out set must not choose anything, so the calibration's own settings (what a wrong answer costs) are chosen
on out-of-fold figures instead: calibrate on k-1 folds, decide the remaining fold, pool the folds.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.decide import Thresholds, decide
from bot.quality.calibrate import COSTS, Case, Costs, calibrate_lang
from bot.quality.evaluation import is_hit


@dataclass
class OutOfFold:
    """Decisions on questions the gates never saw, pooled over the folds."""

    answerable: int = 0
    answered: int = 0
    right: int = 0
    must_refuse: int = 0
    refuse_answered: int = 0

    @property
    def precision(self) -> float:
        """Share of the answers whose lead was an expected source (1.0 when nothing was answered)."""
        return self.right / self.answered if self.answered else 1.0

    def row(self, lang: str) -> str:
        """One line of the report."""
        return (f"{lang}: out-of-fold answered {self.answered}/{self.answerable}, precision {self.precision:.3f}, "
                f"must-refuse answered {self.refuse_answered}/{self.must_refuse}")


def cross_validate(cases: list[Case], lang: str, start: Thresholds, folds: int,
                   costs: Costs = COSTS) -> OutOfFold:
    """Calibrate on all folds but one, decide that one; every case is decided once by gates that did not see it."""
    tally = OutOfFold()
    for fold in range(folds):
        # Every k-th question: the dev file is grouped by batch and topic, so a stride mixes them into each fold.
        train = [case for i, case in enumerate(cases) if i % folds != fold]
        gates = calibrate_lang(train, lang, start, costs)
        for case in cases[fold::folds]:
            decision = decide(case.retrieval, case.intents, gates)
            if not case.expect:
                tally.must_refuse += 1
                tally.refuse_answered += decision.answered
                continue
            tally.answerable += 1
            if decision.answered:
                tally.answered += 1
                tally.right += is_hit(decision.lead or "", list(case.expect))
    return tally

"""The staff's /stats report: aggregate counters only, never a user id or a message."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from bot.core.i18n import t
from bot.core.types import LANGS

TOP_SOURCES = 5


@dataclass
class Report:
    """Sums over the counter rows of a period."""

    days: int
    per_day: dict[str, int] = field(default_factory=dict)
    per_lang: Counter[str] = field(default_factory=Counter)
    in_scope: int = 0
    out_of_scope: int = 0
    cited: Counter[str] = field(default_factory=Counter)
    ratings: Counter[str] = field(default_factory=Counter)
    flows: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    signups: int = 0
    open_tickets: int = 0

    @property
    def questions(self) -> int:
        """All questions of the period."""
        return sum(self.per_lang.values())


def build(rows: list[dict[str, Any]], days: int, open_tickets: int) -> Report:
    """Fold counter rows {day, metric, key, count} into a report."""
    report = Report(days=days, open_tickets=open_tickets)
    for row in rows:
        metric, key, count = row["metric"], row["key"], int(row["count"])
        if metric == "questions":
            report.per_day[row["day"]] = report.per_day.get(row["day"], 0) + count
            report.per_lang[key] += count
        elif metric in ("in_scope", "out_of_scope"):
            setattr(report, metric, getattr(report, metric) + count)
        elif metric == "cited":
            report.cited[key] += count
        elif metric == "rating":
            report.ratings[key] += count
        elif metric in ("flow_started", "flow_completed"):
            report.flows[key or "-"][metric == "flow_completed"] += count
        elif metric == "signup":
            report.signups += count
    return report


def render(report: Report, lang: str) -> str:
    """The report as plain text in the staff member's language."""
    none = t(lang, "support.staff.stats_none")
    total = report.in_scope + report.out_of_scope
    share = round(100 * report.in_scope / total) if total else 0
    lines = [t(lang, "support.staff.stats_title", days=report.days), "", t(lang, "support.staff.stats_days")]
    lines += [f"  {day}: {count}" for day, count in sorted(report.per_day.items())] or [f"  {none}"]
    lines.append(t(lang, "support.staff.stats_langs"))
    lines.append("  " + " · ".join(f"{code} {report.per_lang.get(code, 0)}" for code in LANGS))
    lines.append(t(lang, "support.staff.stats_scope", share=share, total=total))
    lines.append(t(lang, "support.staff.stats_sources"))
    lines += [f"  {source}: {count}" for source, count in report.cited.most_common(TOP_SOURCES)] or [f"  {none}"]
    lines.append(t(lang, "support.staff.stats_ratings", up=report.ratings["up"], down=report.ratings["down"]))
    flows = ", ".join(f"{name} {started}/{done}" for name, (started, done) in sorted(report.flows.items())) or none
    lines.append(t(lang, "support.staff.stats_flows", flows=flows))
    lines.append(t(lang, "support.staff.stats_signups", signups=report.signups))
    lines.append(t(lang, "support.staff.stats_tickets", tickets=report.open_tickets))
    return "\n".join(lines)

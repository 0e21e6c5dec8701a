"""Error budgets: how much failure an SLO allows, and how fast each alert's burn rate spends it.

99.9% over 30 days allows 0.1% of events to fail: as time, 43.2 minutes of total failure.
An alert's burn-rate factor is how many times faster than "exactly on budget" errors
arrive; at factor F the whole budget lasts period / F (14.4x: 50 hours).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from flowops.slo.model import POLICY, SLO, format_days, format_duration, format_number, format_short
from flowops.slo.rules import RuleOptions


@dataclass(frozen=True)
class AlertBudget:
    """One multiwindow condition of one SLO: severity, factor, windows, time to exhaustion."""

    tier: str
    severity: str
    factor: Fraction
    share: Fraction
    long: int
    short: int
    exhaustion_hours: Fraction

    def to_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "factor": _number(self.factor), "longWindow": format_duration(self.long),
                "shortWindow": format_duration(self.short), "exhaustionHours": _number(self.exhaustion_hours)}


@dataclass(frozen=True)
class SLOBudget:
    """The error budget of one SLO and its alerts' burn rates."""

    slo: SLO
    alerts: tuple[AlertBudget, ...]

    def to_dict(self) -> dict[str, Any]:
        slo = self.slo
        return {"service": slo.service, "name": slo.name, "objective": _number(slo.objective),
                "periodDays": _number(slo.period_days), "errorBudget": _number(slo.error_budget),
                "budgetMinutes": _number(slo.budget_minutes), "alerts": [a.to_dict() for a in self.alerts]}


def budget(slo: SLO, options: RuleOptions | None = None) -> SLOBudget:
    """The budget of ``slo``: one entry per condition of each enabled alert (page first)."""
    options = options or RuleOptions()
    alerts = []
    for burn in POLICY:
        if slo.alert(burn.tier) is None:
            continue
        alerts.append(AlertBudget(burn.tier, options.severity_label(burn.tier), burn.factor(slo.period), burn.share,
                                  burn.long, burn.short, burn.exhaustion_minutes() / 60))
    return SLOBudget(slo, tuple(alerts))


def budgets(slos: Sequence[SLO], options: RuleOptions | None = None) -> list[SLOBudget]:
    return [budget(slo, options) for slo in slos]


def report(slos: Sequence[SLO], options: RuleOptions | None = None) -> dict[str, Any]:
    """The ``--json`` document: ``{"schemaVersion": 1, "kind": "slo-budget", "slos": [...]}``."""
    return {"schemaVersion": 1, "kind": "slo-budget", "slos": [b.to_dict() for b in budgets(slos, options)]}


def lines(entry: SLOBudget) -> list[str]:
    """The plain-text table of one SLO's budget."""
    slo = entry.slo
    out = [
        f"{slo.service} / {slo.name}: {format_number(slo.objective)}% over {format_days(slo.period)} "
        f"({slo.location}, {slo.spec})",
        f"  error budget: {format_number(slo.error_budget * 100)}% of events = {format_number(slo.budget_minutes)} "
        f"minutes of total failure per {format_days(slo.period)}",
    ]
    if not entry.alerts:
        out.append("  alerts: none (page and ticket alerts are disabled)")
        return out
    names = ", ".join(slo.alert_names)
    out.append(f"  alert {names}:")
    rows = [("severity", "factor", "long", "short", "budget spent", "budget gone after")]
    for alert in entry.alerts:
        rows.append((alert.severity, format_short(alert.factor), format_duration(alert.long),
                     format_duration(alert.short), f"{format_number(alert.share * 100)}% in {format_duration(alert.long)}",
                     _duration_hours(alert.exhaustion_hours)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out += ["    " + "  ".join(value.ljust(widths[i]) for i, value in enumerate(row)).rstrip() for row in rows]
    return out


def _duration_hours(hours: Fraction) -> str:
    minutes = hours * 60
    if minutes.denominator == 1:
        return f"{format_number(hours)}h ({format_duration(int(minutes))})" if hours >= 24 else f"{format_number(hours)}h"
    return f"{float(hours):.1f}h"


def _number(value: Fraction) -> int | float:
    """JSON numbers: whole values as integers (30, not 30.0), others as the nearest float."""
    value = Fraction(value)
    return int(value) if value.denominator == 1 else float(value)


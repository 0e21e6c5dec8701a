"""Error budgets: 99.9% over 30 days is 43.2 minutes; each alert's factor, windows and time to exhaustion."""

from __future__ import annotations

from flowops.slo.budget import budget, lines, report
from flowops.slo.model import DAY
from flowops.slo.rules import RuleOptions
from flowops.slo.specs import read_specs


def _slos(root, *specs, **kwargs):
    found = read_specs([root / s for s in specs], root=root, **kwargs)
    assert found.errors == []
    return {slo.id: slo for slo in found.slos}


def test_the_budget_json_has_the_documented_shape_and_numbers(workspace):
    slos = _slos(workspace, "specs/checkout.sloth.yml")
    document = report([slos["checkout-requests-availability"]])
    assert document == {"schemaVersion": 1, "kind": "slo-budget", "slos": [{
        "service": "checkout", "name": "requests-availability", "objective": 99.9, "periodDays": 30,
        "errorBudget": 0.001, "budgetMinutes": 43.2, "alerts": [
            {"severity": "page", "factor": 14.4, "longWindow": "1h", "shortWindow": "5m", "exhaustionHours": 50},
            {"severity": "page", "factor": 6, "longWindow": "6h", "shortWindow": "30m", "exhaustionHours": 120},
            {"severity": "ticket", "factor": 3, "longWindow": "1d", "shortWindow": "2h", "exhaustionHours": 240},
            {"severity": "ticket", "factor": 1, "longWindow": "3d", "shortWindow": "6h", "exhaustionHours": 720},
        ]}]}


def test_28_days_scale_the_factors_but_not_the_time_to_exhaustion(workspace):
    slo = _slos(workspace, "specs/catalog.openslo-v1.yml")["catalog-catalog-availability"]
    entry = budget(slo).to_dict()
    assert (entry["objective"], entry["periodDays"], entry["errorBudget"], entry["budgetMinutes"]) == (99.5, 28, 0.005, 201.6)
    assert [a["factor"] for a in entry["alerts"]] == [13.44, 5.6, 2.8, 0.9333333333333333]
    assert [a["exhaustionHours"] for a in entry["alerts"]] == [50, 120, 240, 720]


def test_a_disabled_alert_has_no_budget_lines_and_severities_follow_the_style(workspace):
    slo = _slos(workspace, "specs/checkout.sloth.yml", default_period=28 * DAY)["checkout-requests-latency"]
    entry = budget(slo, RuleOptions(severity="critical-warning")).to_dict()
    assert [(a["severity"], a["factor"]) for a in entry["alerts"]] == [("critical", 13.44), ("critical", 5.6)]
    assert entry["budgetMinutes"] == 403.2


def test_the_table_for_people(workspace):
    slo = _slos(workspace, "specs/checkout.sloth.yml")["checkout-requests-availability"]
    assert lines(budget(slo)) == [
        "checkout / requests-availability: 99.9% over 30 days (specs/checkout.sloth.yml:9, prometheus/v1)",
        "  error budget: 0.1% of events = 43.2 minutes of total failure per 30 days",
        "  alert CheckoutAvailabilityBudgetBurn:",
        "    severity  factor  long  short  budget spent  budget gone after",
        "    page      14.4    1h    5m     2% in 1h      50h (2d2h)",
        "    page      6       6h    30m    5% in 6h      120h (5d)",
        "    ticket    3       1d    2h     10% in 1d     240h (10d)",
        "    ticket    1       3d    6h     10% in 3d     720h (30d)",
    ]

"""The alerts fire when they should, proven by ``promtool test rules`` on synthetic counters.

A steady error ratio is fed in for three days and a half hour, so that at evaluation time
every alert window, the longest (3d) included, is full of data. Series move every 2
minutes (a 5m window always holds at least two samples, whether range selectors include
their left edge, as in Prometheus 2, or not, as in 3) and rules are evaluated every 10
minutes, recordings before alerts: one to two seconds of promtool per case.

For 99.9% over 30 days (budget 0.1%) and 99.5% over 28 days (budget 0.5%), in multiples
of the budget: 20x (2% and 10% errors) pages and tickets, 4x (0.4% and 2%) tickets only,
0.5x (0.05% and 0.25%) fires nothing. When errors stop, the page stops within half an
hour (its short windows), while the ticket keeps going.
"""

from __future__ import annotations

import subprocess
import time
from fractions import Fraction

import pytest
import yaml

from flowops.project import Project
from flowops.slo.generate import Settings, generate
from tests.slo.conftest import write

STEP_MINUTES = 2
EVAL = "3d30m"
EVAL_MINUTES = 3 * 24 * 60 + 30
REQUESTS_PER_STEP = 10_000

SLOTH_999_30D = """\
version: prometheus/v1
service: api
labels: {team: platform}
slos:
  - name: availability
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{job="api",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{job="api"}[{{.window}}]))
    alerting:
      name: ApiAvailabilityBudgetBurn
"""

OPENSLO_995_28D = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: availability
  labels: {team: platform}
spec:
  service: api
  indicator:
    metadata: {name: api-errors}
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource: {type: Prometheus, spec: {query: 'sum(rate(http_requests_total{job="api",code=~"5.."}[{{.window}}]))'}}
        total:
          metricSource: {type: Prometheus, spec: {query: 'sum(rate(http_requests_total{job="api"}[{{.window}}]))'}}
  timeWindow:
    - duration: 28d
      isRolling: true
  objectives:
    - target: 0.995
"""

SLOS = {
    "99.9% over 30 days": (SLOTH_999_30D, Fraction(1, 1000), "ApiAvailabilityBudgetBurn"),
    "99.5% over 28 days": (OPENSLO_995_28D, Fraction(5, 1000), "ApiAvailabilityBudgetBurn"),
}

# burn (multiple of the error budget) -> the alert tiers that must fire at a steady ratio
BURNS = [(Fraction(20), {"page", "ticket"}), (Fraction(4), {"ticket"}), (Fraction(1, 2), set())]


@pytest.fixture
def rules(tmp_path, request):
    """(rules file, group names, alerting rules by tier, series labels, budget, alert name) for the SLO named by the test."""
    spec, budget, alert = SLOS[request.param]
    root = tmp_path / "repo"
    write(root, "slo.yml", spec)
    generated = generate(Project(root), [root / "slo.yml"], root / "rules.yml", Settings())
    path = write(root, "rules.yml", generated.text)
    groups = yaml.safe_load(generated.text)["groups"]
    alerting = {r["labels"]["sloth_severity"]: r for g in groups for r in g["rules"] if "alert" in r}
    meta = next(r for g in groups for r in g["rules"] if r.get("record") == "slo:objective:ratio")
    return path, [g["name"] for g in groups], alerting, dict(meta["labels"]), budget, alert


def _series(errors_per_step: int, steps: int, after: int = 0) -> list[dict]:
    """Counters of 5xx and other answers: ``errors_per_step`` of every 10,000 requests fail for ``steps``
    steps, then (for ``after`` more steps) none do."""
    ok = REQUESTS_PER_STEP - errors_per_step
    errors = f"0+{errors_per_step}x{steps}"
    good = f"0+{ok}x{steps}"
    if after:
        errors += f" {errors_per_step * steps}+0x{after}"
        good += f" {ok * steps}+{REQUESTS_PER_STEP}x{after}"
    return [{"series": 'http_requests_total{job="api",code="500"}', "values": errors},
            {"series": 'http_requests_total{job="api",code="200"}', "values": good}]


def _expected(alerting: dict, tiers: set[str], labels: dict) -> list[dict]:
    return [{"exp_labels": {**labels, **alerting[tier]["labels"]}, "exp_annotations": alerting[tier]["annotations"]}
            for tier in ("page", "ticket") if tier in tiers]


def _run(promtool: str, root, path, groups: list[str], tests: list[dict]) -> None:
    # promtool evaluates groups in no fixed order unless told; the alerts read the recordings,
    # so they go after them (as they would within one Prometheus evaluation round).
    test_file = write(root, "rules.test.yml", yaml.safe_dump(
        {"rule_files": [path.name], "evaluation_interval": "10m", "group_eval_order": groups, "tests": tests},
        sort_keys=False))
    started = time.monotonic()
    done = subprocess.run([promtool, "test", "rules", str(test_file)], capture_output=True, text=True, timeout=300,
                          cwd=root)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, f"promtool test rules failed after {elapsed:.1f} s:\n{done.stdout}\n{done.stderr}"


@pytest.mark.parametrize("rules", sorted(SLOS), indirect=True)
@pytest.mark.parametrize(("burn", "tiers"), BURNS, ids=["20x-pages-and-tickets", "4x-tickets-only", "half-x-fires-nothing"])
def test_a_steady_error_ratio_fires_the_alerts_its_burn_rate_calls_for(rules, promtool, burn, tiers):
    path, groups, alerting, labels, budget, alert = rules
    ratio = burn * budget
    errors = ratio * REQUESTS_PER_STEP
    assert errors.denominator == 1  # whole requests per step
    steps = EVAL_MINUTES // STEP_MINUTES + 1
    burn_labels = {**labels, "sloth_window": "5m"}
    _run(promtool, path.parent, path, groups, [{
        "interval": f"{STEP_MINUTES}m",
        "input_series": _series(int(errors), steps),
        "alert_rule_test": [{"eval_time": EVAL, "alertname": alert, "exp_alerts": _expected(alerting, tiers, labels)}],
        # The meta rules agree: the current burn rate is the multiple of the budget fed in.
        "promql_expr_test": [{"expr": "round(slo:current_burn_rate:ratio * 10)", "eval_time": EVAL,
                              "exp_samples": [{"labels": _labels_text(burn_labels), "value": int(burn * 10)}]}],
    }])


@pytest.mark.parametrize("rules", ["99.9% over 30 days"], indirect=True)
def test_the_page_stops_within_half_an_hour_of_the_errors_stopping_the_ticket_does_not(rules, promtool):
    path, groups, alerting, labels, budget, alert = rules
    errors = int(20 * budget * REQUESTS_PER_STEP)  # 2%: both alerts firing when the errors stop at 3d
    steps = 3 * 24 * 60 // STEP_MINUTES
    _run(promtool, path.parent, path, groups, [{
        "interval": f"{STEP_MINUTES}m",
        "input_series": _series(errors, steps, after=30),
        "alert_rule_test": [
            # 10 minutes after: the 30m window still holds 20 minutes of errors, so 6x over 6h and 30m holds.
            {"eval_time": "3d10m", "alertname": alert, "exp_alerts": _expected(alerting, {"page", "ticket"}, labels)},
            # 40 minutes after: 5m and 30m are clean, the page stops; 1d and 2h still burn above 3x.
            {"eval_time": "3d40m", "alertname": alert, "exp_alerts": _expected(alerting, {"ticket"}, labels)},
        ],
    }])


def _labels_text(labels: dict) -> str:
    return "{" + ", ".join(f'{key}="{value}"' for key, value in sorted(labels.items())) + "}"

"""Bad specs: every problem is reported (not just the first), each with its file, line and field."""

from __future__ import annotations

import pytest

from flowops.slo.specs import read_specs
from tests.slo.conftest import write

SLOTH = """\
version: prometheus/v1
service: checkout
slos:
  - name: availability
    objective: {objective}
    sli:
      events:
        error_query: {error_query}
        total_query: sum(rate(http_requests_total{{job="checkout"}}[{{{{.window}}}}]))
    alerting:
      name: CheckoutAvailability
"""
GOOD_ERRORS = 'sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))'


def _problems(root, text, name="spec.yml"):
    write(root, name, text)
    found = read_specs([root / name], root=root)
    return [(p.line, p.field, p.message) for p in found.errors]


def _line(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("objective", [0, -1, 100, 100.5, 250])
def test_an_objective_outside_0_to_100_is_an_error_on_its_line(tmp_path, objective):
    text = SLOTH.format(objective=objective, error_query=GOOD_ERRORS)
    [(line, field, message)] = _problems(tmp_path, text)
    assert (line, field) == (5, "slos[0].objective") and "outside 0-100" in message


def test_an_objective_given_as_text_is_an_error(tmp_path):
    [(line, field, message)] = _problems(tmp_path, SLOTH.format(objective='"99.9"', error_query=GOOD_ERRORS))
    assert (line, field) == (5, "slos[0].objective") and "must be a number" in message


def test_a_query_without_the_window_placeholder_is_an_error_on_its_line(tmp_path):
    text = SLOTH.format(objective=99.9, error_query='sum(rate(http_requests_total{job="checkout",code=~"5.."}[5m]))')
    [(line, field, message)] = _problems(tmp_path, text)
    assert (line, field) == (8, "slos[0].sli.events.error_query") and "no {{.window}}" in message


def test_unbalanced_brackets_and_unknown_template_actions_are_errors(tmp_path):
    text = SLOTH.format(objective=99.9, error_query="ERRORS").replace("ERRORS", 'sum(rate(x{job="a"}[{{.window}}])')
    problems = _problems(tmp_path, text)
    assert [(line, message) for line, _f, message in problems] == [(8, "unclosed '(' in the query")]
    text = SLOTH.format(objective=99.9, error_query="sum(rate(x[{{.window}}])) / {{.total}}")
    assert [m for _l, _f, m in _problems(tmp_path, text)] == ["unknown template action {{.total}}: only {{.window}} is filled in"]


def test_both_events_and_raw_is_an_error(tmp_path):
    text = SLOTH.format(objective=99.9, error_query=GOOD_ERRORS).replace(
        "    alerting:", "      raw:\n        error_ratio_query: x[{{.window}}]\n    alerting:")
    [(line, field, message)] = _problems(tmp_path, text)
    assert (line, field) == (_line(text, "raw:"), "slos[0].sli.raw") and "not both" in message


def test_neither_events_nor_raw_is_an_error(tmp_path):
    text = "version: prometheus/v1\nservice: a\nslos:\n  - name: b\n    objective: 99\n    sli: {}\n    alerting: {name: B}\n"
    [(line, field, message)] = _problems(tmp_path, text)
    assert (line, field) == (6, "slos[0].sli") and "needs 'events'" in message


@pytest.mark.parametrize(("header", "field", "fragment"), [
    ("version: prometheus/v2", "version", "unknown version 'prometheus/v2': Sloth specs are version: prometheus/v1"),
    ("apiVersion: openslo/v2alpha\nkind: SLO", "apiVersion", "unknown version 'openslo/v2alpha'"),
    ("apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule", "apiVersion", "not an SLO spec"),
])
def test_an_unknown_version_is_an_error(tmp_path, header, field, fragment):
    text = "# an SLO spec\n" + header + "\nservice: checkout\n"
    [(line, got_field, message)] = _problems(tmp_path, text)
    assert (line, got_field) == (2, field) and fragment in message


def test_duplicate_slo_names_are_errors_in_one_spec_and_across_specs(tmp_path):
    one = SLOTH.format(objective=99.9, error_query=GOOD_ERRORS)
    doubled = one + "\n".join(one.splitlines()[3:]) + "\n"
    problems = _problems(tmp_path, doubled)
    assert [(line, field) for line, field, _m in problems] == [(12, "slos[1].name")]
    assert "duplicate SLO name 'availability'" in problems[0][2] and "line 4" in problems[0][2]
    write(tmp_path, "a.yml", one)
    write(tmp_path, "b.yml", one)
    found = read_specs([tmp_path / "a.yml", tmp_path / "b.yml"], root=tmp_path)
    [problem] = found.errors
    assert (problem.path, problem.line) == ("b.yml", 4)
    assert "duplicate SLO 'availability' of service 'checkout': already defined at a.yml:4" in problem.message


def test_every_problem_is_reported_at_once(tmp_path):
    text = """\
version: prometheus/v1
service: checkout
labels:
  bad-label: x
slos:
  - name: availability
    objective: 101
    sli:
      events:
        error_query: sum(rate(errors_total[5m]))
        total_query: sum(rate(requests_total[{{.window}}]))
  - name: latency
    objective: 99
    sli:
      raw:
        error_ratio_query: rate(slow_total[{{.window}}])
"""
    problems = _problems(tmp_path, text)
    assert [(line, field) for line, field, _m in problems] == [
        (4, "labels.bad-label"), (7, "slos[0].objective"), (10, "slos[0].sli.events.error_query"),
        (6, "slos[0]"), (12, "slos[1]"),  # alerts enabled, but no alerting.name
    ]
    assert "'alerting.name' is required while page_alert and ticket_alert are enabled" in problems[4][2]


def test_invalid_yaml_is_an_error_with_its_line(tmp_path):
    [(line, _field, message)] = _problems(tmp_path, "version: prometheus/v1\nservice: [a\nslos: []\n")
    assert line == 3 and message.startswith("invalid YAML")


def test_openslo_problems_are_located_too(tmp_path):
    text = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: availability
spec:
  service: catalog
  indicatorRef: no-such-sli
  timeWindow:
    - duration: 1M
  objectives:
    - target: 99.5
"""
    problems = _problems(tmp_path, text)
    assert [(line, field) for line, field, _m in problems] == [
        (9, "spec.timeWindow[0].duration"), (7, "spec.indicatorRef"), (11, "spec.objectives[0].target")]
    assert "no fixed length" in problems[0][2] and "names no SLI document" in problems[1][2]
    assert "OpenSLO targets are ratios" in problems[2][2]


def test_openslo_threshold_metrics_and_other_sources_are_refused_with_the_reason(tmp_path):
    text = """\
apiVersion: openslo/v1
kind: SLO
metadata: {name: latency}
spec:
  service: catalog
  indicator:
    metadata: {name: p99}
    spec:
      thresholdMetric:
        metricSource: {type: Prometheus, spec: {query: 'histogram_quantile(0.99, x)'}}
  objectives: [{target: 0.99}]
---
apiVersion: openslo/v1
kind: SLO
metadata: {name: errors}
spec:
  service: catalog
  indicator:
    metadata: {name: dd}
    spec:
      ratioMetric:
        good: {metricSource: {type: Datadog, spec: {query: 'sum:requests.ok{*}'}}}
        total: {metricSource: {type: Datadog, spec: {query: 'sum:requests{*}'}}}
  objectives: [{target: 0.99}]
"""
    problems = _problems(tmp_path, text)
    assert [(line, message.split(":")[0]) for line, _f, message in problems] == [
        (9, "thresholdMetric indicators are not supported"),
        (22, "metric source type Datadog is not supported"), (23, "metric source type Datadog is not supported")]


def test_a_missing_file_and_a_file_without_specs_are_errors(tmp_path):
    write(tmp_path, "empty.yml", "# nothing yet\n")
    found = read_specs([tmp_path / "missing.yml", tmp_path / "empty.yml"], root=tmp_path)
    assert [(p.path, p.message.split(":")[0]) for p in found.errors] == [
        ("empty.yml", "no SLO spec in this file"), ("missing.yml", "file not found")]

import pytest

from flowops.acceptance.lint import Finding, lint_text
from flowops.builtin.criteria_lint import measurable_elements
from flowops.hookspecs import hookimpl


class NoTbd:
    """A third-party rule: criteria must not say TBD."""

    @hookimpl
    def lint_criterion(self, text):
        if "TBD" in text:
            return [Finding("no-tbd", "the criterion is not decided yet", "decide the value and write it down")]
        return None


def rules(findings):
    return [f.rule for f in findings]


def test_a_vague_predicate_says_which_phrase_and_how_to_fix_it(plugins_with):
    [_, vague] = lint_text("Deployment is automated", plugins_with())
    assert vague.rule == "vague-predicate"
    assert "'is automated'" in vague.message
    assert vague.suggestion.startswith("replace 'is automated':") and "job or trigger" in vague.suggestion


def test_the_measurable_suggestion_gives_an_example_from_the_criterion_topic(plugins_with):
    alert = lint_text("Alerts go to the right people", plugins_with())
    runbook = lint_text("Runbook is complete", plugins_with())
    other = lint_text("The team is happy", plugins_with())
    assert "1% for 5 minutes" in alert[0].suggestion
    assert "restart, failover, rollback" in runbook[0].suggestion
    assert "verify" in other[0].suggestion and "latency" not in other[0].suggestion


def test_one_number_does_not_excuse_a_vague_predicate_but_two_or_a_concrete_element_do(plugins_with):
    plugins = plugins_with()
    assert rules(lint_text("Monitoring is set up for 2 services", plugins)) == ["vague-predicate"]
    assert lint_text("Alerts are configured to fire above 1% for 5 minutes", plugins) == []
    assert lint_text("`k8s/pdb.yaml` exists", plugins) == []
    assert lint_text("Dashboard 'Checkout overview' exists", plugins) == []


def test_a_criterion_without_vague_words_can_still_lack_anything_measurable(plugins_with):
    assert rules(lint_text("Monitoring covers the important metrics", plugins_with())) == ["no-measurable-element"]


def test_a_third_party_rule_runs_next_to_the_builtin_ones(plugins_with):
    plugins = plugins_with(acme=NoTbd())
    assert sorted(rules(lint_text("Latency target is TBD", plugins))) == ["no-measurable-element", "no-tbd"]
    assert rules(lint_text("p95 latency under TBD ms at 100 rps", plugins)) == ["no-tbd"]


def test_a_crashing_rule_is_reported_and_the_others_still_run(plugins_with):
    class Crashes:
        @hookimpl
        def lint_criterion(self, text):
            raise ValueError("boom")

    plugins = plugins_with(crashes=Crashes(), acme=NoTbd())
    findings = lint_text("Runbook exists TBD", plugins)
    assert set(rules(findings)) == {"no-measurable-element", "vague-predicate", "no-tbd"}
    assert [(f.plugin, f.hook) for f in plugins.failures] == [("crashes", "lint_criterion")]


def test_a_rule_may_return_one_finding_and_anything_else_is_reported(plugins_with):
    class Single:
        @hookimpl
        def lint_criterion(self, text):
            return Finding("single", "m", "s")

    class Garbage:
        @hookimpl
        def lint_criterion(self, text):
            return ["not a finding"]

    plugins = plugins_with(single=Single(), garbage=Garbage())
    assert "single" in rules(lint_text("`make check` passes", plugins))
    assert [f.plugin for f in plugins.failures] == ["garbage"]
    assert "expected a Finding" in plugins.failures[0].error


def test_without_the_builtin_plugin_no_builtin_rule_runs(plugins_with, monkeypatch):
    monkeypatch.setenv("FLOWOPS_DISABLE_PLUGINS", "criteria-lint")
    from flowops.plugins import build_plugins

    assert lint_text("Runbook exists", build_plugins(entry_points=lambda: [])) == []


def test_findings_serialise_with_stable_keys():
    assert Finding("r", "m", "s").to_dict() == {"rule": "r", "message": "m", "suggestion": "s"}


@pytest.mark.parametrize(
    "text, kind",
    [
        ("see .github/workflows/ci.yml", "path"),
        ("manifests in k8s/ pass", "path"),
        ("GET /healthz answers", "endpoint"),
        ("run ./scripts/smoke", "path"),
        ("https://grafana.example.com/d/api", "url"),
        ("terraform plan shows no changes", "command"),
        ("run with --dry-run first", "command"),
        ("`anything in code`", "code"),
        ("the http_requests_total counter", "identifier"),
        ("sets runAsNonRoot on pods", "identifier"),
        ("the 'Checkout' dashboard", "quoted-name"),
        ("under 200 ms", "number"),
        ("p99 latency", "percentile"),
        ("three replicas", "number"),
        ("routes to PagerDuty", "artifact"),
        ("publishes an SBOM", "artifact"),
        ("covers: restart, failover, rollback", "enumeration"),
    ],
)
def test_measurable_elements_are_recognised(text, kind):
    assert kind in [k for k, _concrete, _text in measurable_elements(text)]


@pytest.mark.parametrize(
    "text",
    [
        "CI/CD is ready",
        "input/output is handled",
        "k8s is used",
        "the backlog is groomed",
        "make sure it works",
        "Docker image is built",
        "RBAC is configured",
        "SEV1 incidents are handled",
    ],
)
def test_look_alikes_are_not_mistaken_for_measurable_elements(text):
    assert measurable_elements(text) == []


def test_overlapping_readings_count_once_as_the_most_concrete():
    assert measurable_elements("`kubectl get pods`") == [("code", True, "`kubectl get pods`")]
    assert measurable_elements("PagerDuty") == [("artifact", False, "PagerDuty")]
    assert [k for k, _c, _t in measurable_elements("p50/p95/p99")] == ["percentile"] * 3

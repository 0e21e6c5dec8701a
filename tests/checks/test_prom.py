"""prom.rules (parsing, then promtool) and prom.alerts on PrometheusRule resources and plain rule files."""

from __future__ import annotations

import shutil

from tests.checks.conftest import messages
from tests.support.evidence import copy_shop


def test_rules_pass_promtool_including_unwrapped_prometheusrule_resources(check, promtool):
    result = check("prom.rules")
    assert result.status == "pass", result
    assert result.summary == "3 rule sources passing `promtool check rules`"


def test_promtool_findings_name_the_repository_file_and_line(check, promtool, tmp_path):
    root = copy_shop(tmp_path / "repo", init_git=False)
    rules = root / "monitoring" / "prometheus-rules.yaml"
    rules.write_text(rules.read_text().replace(") > 0.3\n", ") > \n", 1))
    node = root / "monitoring" / "rules" / "node.rules.yml"
    node.write_text(node.read_text().replace("for: 30m", "for: 30mins"))
    result = check("prom.rules", root=root)
    assert result.status == "fail"
    found = messages(result)
    assert found[0].startswith('monitoring/prometheus-rules.yaml:44 PrometheusRule/checkout-latency: group "checkout-latency", '
                               'rule 1, "CheckoutLatencyHigh": could not parse expression')
    assert found[1] == 'monitoring/rules/node.rules.yml:1 rule file: not a valid duration string: "30mins"'
    assert "flowops-promtool" not in " ".join(found)  # temporary files are never shown


def test_without_promtool_rules_that_parse_are_skipped_never_passed(check, monkeypatch):
    monkeypatch.setattr("flowops.checks.model.CheckContext.which", lambda self, program: None)
    result = check("prom.rules")
    assert result.status == "skipped"
    assert "promtool is not on PATH" in result.summary


def test_without_promtool_a_rule_file_that_does_not_parse_still_fails(check, monkeypatch, tmp_path):
    monkeypatch.setattr("flowops.checks.model.CheckContext.which", lambda self, program: None)
    (tmp_path / "rules.yml").write_text("groups:\n  - name: g\n    rules:\n      - expr: up == 0\n")
    result = check("prom.rules", root=tmp_path)
    assert result.status == "fail"
    assert messages(result) == ["rules.yml:4 rule file: rule has neither 'alert' nor 'record': an alert needs a name"]


def test_alerts_need_severity_runbook_url_and_a_summary_or_description(check):
    assert messages(check("prom.alerts")) == [
        "monitoring/prometheus-rules.yaml:43 alert CheckoutLatencyHigh (group checkout-latency): no runbook_url annotation",
        "monitoring/rules/node.rules.yml:18 alert NodeDown (group node-alerts): no severity label, no runbook_url annotation",
    ]


def test_no_rules_at_all_fails(check, tmp_path):
    assert check("prom.rules", root=tmp_path).status == "fail"
    assert check("prom.alerts", root=tmp_path).status == "fail"


def test_the_promtool_used_is_the_one_on_path(check, promtool, monkeypatch, tmp_path):
    fake = tmp_path / "bin" / "promtool"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho \"$3: 1:1: rejected by the fake\" >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{shutil.os.environ['PATH']}")
    result = check("prom.rules monitoring/rules")
    assert result.status == "fail" and "rejected by the fake" in messages(result)[0]

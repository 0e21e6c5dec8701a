"""The slo.rules check: the generated rules file exists, is current, and promtool accepts it."""

from __future__ import annotations

import os
import stat

from flowops.project import Project
from flowops.slo.check import FAIL, PASS, check_rules
from flowops.slo.generate import Settings, generate
from tests.slo.conftest import write

SPECS = ["specs/checkout.sloth.yml", "specs/search.sloth-k8s.yml"]
OUTPUT = "monitoring/slo-rules.yml"


def _generate(root, settings=None):
    text = generate(Project(root), [root / s for s in SPECS], root / OUTPUT, settings or Settings()).text
    write(root, OUTPUT, text)
    return text


def _check(root, **kwargs):
    kwargs.setdefault("promtool", None)
    return check_rules(Project(root), SPECS, OUTPUT, kwargs.pop("settings", Settings()), **kwargs)


def test_a_current_file_passes_and_says_promtool_did_not_run_without_it(workspace):
    _generate(workspace)
    result = _check(workspace)
    assert result.status == PASS
    assert [str(e) for e in result.evidence] == [
        "monitoring/slo-rules.yml current for 3 SLOs from specs/checkout.sloth.yml, specs/search.sloth-k8s.yml",
        "monitoring/slo-rules.yml promtool is not on PATH: `promtool check rules` was not run"]


def test_with_promtool_the_file_must_also_pass_promtool_check_rules(workspace, promtool):
    _generate(workspace)
    result = _check(workspace, promtool=promtool)
    assert result.status == PASS and "promtool check rules: Checking" in result.evidence[-1].message


def test_promtool_rejecting_the_file_fails_the_check(workspace, tmp_path):
    _generate(workspace)
    fake = write(tmp_path, "promtool", "#!/bin/sh\necho 'FAILED: 1:1: group \"x\": bad' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    result = _check(workspace, promtool=str(fake))
    assert result.status == FAIL and result.evidence[-1].message == 'promtool check rules failed: FAILED: 1:1: group "x": bad'


def test_a_missing_file_fails_with_the_command_that_makes_it(workspace):
    result = _check(workspace)
    assert result.status == FAIL
    assert [str(e) for e in result.evidence] == [
        "monitoring/slo-rules.yml the generated rules file does not exist: run `flowops slo generate "
        "specs/checkout.sloth.yml specs/search.sloth-k8s.yml -o monitoring/slo-rules.yml`"]


def test_a_stale_file_fails_at_its_first_differing_line(workspace):
    text = _generate(workspace)
    spec = workspace / "specs/checkout.sloth.yml"
    spec.write_text(spec.read_text().replace("objective: 99.9", "objective: 99.95"))
    result = _check(workspace)
    assert result.status == FAIL
    [evidence] = result.evidence
    assert evidence.path == OUTPUT and "differs from what the SLO specs generate now" in evidence.message
    assert text.splitlines()[evidence.line - 1] != generate(
        Project(workspace), [workspace / s for s in SPECS], workspace / OUTPUT, Settings()).text.splitlines()[evidence.line - 1]


def test_a_file_generated_with_other_settings_is_not_current(workspace):
    _generate(workspace, Settings(severity="critical-warning"))
    assert _check(workspace).status == FAIL
    assert _check(workspace, settings=Settings(severity="critical-warning")).status == PASS


def test_an_invalid_spec_fails_with_each_problem_located(workspace):
    _generate(workspace)
    spec = workspace / "specs/checkout.sloth.yml"
    spec.write_text(spec.read_text().replace("objective: 99.9", "objective: 199.9").replace("[{{.window}}]))\n        total",
                                                                                              "[5m]))\n        total", 1))
    result = _check(workspace)
    assert result.status == FAIL
    assert [(e.path, e.line) for e in result.evidence] == [("specs/checkout.sloth.yml", 10), ("specs/checkout.sloth.yml", 14)]
    assert result.evidence[0].message.startswith("slos[0].objective: objective 199.9 is outside 0-100")


def test_paths_that_leave_the_repository_fail(workspace, tmp_path):
    outside = write(tmp_path, "outside.yml", (workspace / "specs/checkout.sloth.yml").read_text())
    os.symlink(outside, workspace / "specs/linked.yml")
    result = check_rules(Project(workspace), ["specs/linked.yml"], OUTPUT, Settings(), promtool=None)
    assert result.status == FAIL and "outside the repository" in result.evidence[0].message
    result = check_rules(Project(workspace), SPECS, "../rules.yml", Settings(), promtool=None)
    assert result.status == FAIL and "outside the repository" in result.evidence[0].message


def test_no_specs_is_a_failure_not_a_pass(workspace):
    result = check_rules(Project(workspace), [], OUTPUT, Settings(), promtool=None)
    assert result.status == FAIL and "no SLO specs" in result.evidence[0].message


def test_as_a_bound_criterion_runs_it_the_check_takes_shell_words_and_config_defaults(workspace):
    from flowops.slo.check import ERROR, run_check

    _generate(workspace, Settings(severity="critical-warning"))
    project = Project(workspace)
    args = ["-o", OUTPUT, "--severity=critical-warning", *SPECS]
    assert run_check(project, args, promtool=None).status == PASS
    # Unsaid options are the file's own (its header names them), so it is current as generated ...
    assert run_check(project, ["-o", OUTPUT, *SPECS], promtool=None).status == PASS
    # ... and an option that is said wins: other severity labels make it stale.
    assert run_check(project, ["-o", OUTPUT, "--severity", "page-ticket", *SPECS], promtool=None).status == FAIL
    bad = run_check(project, ["--colour", "red"], promtool=None)
    assert bad.status == ERROR and bad.evidence[0].message == (
        "unknown option --colour; usage: slo.rules [-o FILE] [--default-period DURATION] [--severity STYLE] "
        "[--runbook-base-url URL] [SPEC...]")
    assert run_check(project, ["--severity", "loud", "-o", OUTPUT], promtool=None).status == ERROR
    # Without -o, slo.output or a generated rules file that discovery finds, the evidence says what to run.
    missing = run_check(project, SPECS, promtool=None).evidence[0].message
    assert missing == ("no rules file generated from the SLO specs (specs/checkout.sloth.yml, specs/search.sloth-k8s.yml):"
                       " run `flowops slo generate specs/checkout.sloth.yml specs/search.sloth-k8s.yml -o "
                       "monitoring/slo-rules.yml` and commit the file")
    write(workspace, ".flowops/config.toml", '[slo]\nspecs = ["specs/checkout.sloth.yml", "specs/search.sloth-k8s.yml"]\n'
          f'output = "{OUTPUT}"\nseverity = "critical-warning"\n')
    assert run_check(Project(workspace), [], promtool=None).status == PASS

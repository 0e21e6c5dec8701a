import json


def test_the_demo_tells_the_whole_story_and_deploy_completed_reaches_the_handler(tmp_path, flowops):
    target = tmp_path / "tour"
    result = flowops(["demo", str(target)])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for step in ("$ flowops init", "$ flowops workflow check operate TASK-1", "$ flowops discover",
                 "$ flowops operate TASK-1\n", "$ flowops task edit TASK-1.1 --check-ac 1", "$ flowops doc edit doc-1",
                 "$ flowops operate TASK-1 --complete"):
        assert step in out
    assert "9 tasks created, 0 reused" in out and "0 tasks created, 9 reused" in out
    # The SLO spec: its budget table, the generated rules (header and first alert), runbooks linked by operate.
    assert "$ flowops slo budget slo/checkout.sloth.yml --plain" in out
    assert "error budget: 0.1% of events = 43.2 minutes of total failure per 30 days" in out
    assert "Wrote monitoring/slo-rules.yml: 2 SLOs, 2 alerts (CheckoutAvailabilityBurn, CheckoutLatencyBurn)." in out
    assert "#   flowops slo generate slo/checkout.sloth.yml -o monitoring/slo-rules.yml\n...\n  - alert: " in out
    assert ("SLO rules: updated monitoring/slo-rules.yml: the runbook_url of 2 alerts now names the runbook document"
            in out)
    assert "#5 [x] PASS `verify: slo.rules`" in out
    # The validate gate refuses unchecked criteria before the feature is Validated.
    assert "TASK-1 cannot move to Validated: the gate criteria_checked not met" in result.stderr
    # A bound criterion fails with evidence, the manifest is fixed, the same check passes and ticks it.
    failing, passing = out.split("$ flowops ac verify TASK-1.2 --update")
    assert "#3 [ ] FAIL `verify: k8s.probes`" in failing.split("$ flowops ac verify TASK-1.2\n")[1]
    assert "k8s/checkout.yaml:18 Deployment/checkout container api: no readinessProbe and no livenessProbe" in failing
    assert "#3 [ ] PASS `verify: k8s.probes`" in passing and "TASK-1.2: ticked #1, #3, #5, #6, #7, #9, #10" in passing
    received = [json.loads(line) for line in (target / "events-received.jsonl").read_text().splitlines() if line.strip()]
    deploy = [e for e in received if e["type"] == "deploy.completed"]
    assert len(deploy) == 1 and deploy[0]["data"]["spec_id"] == "checkout"
    assert "state: Deployed" in out


def test_the_demo_runs_promtool_on_the_generated_rules_when_it_is_installed(tmp_path, flowops, promtool):
    result = flowops(["demo", str(tmp_path / "tour")])
    assert result.exit_code == 0, result.stderr
    after = result.stdout.split("$ promtool check rules monitoring/slo-rules.yml\n")[1]
    assert after.startswith("Checking monitoring/slo-rules.yml\n  SUCCESS: 33 rules found\n")


def test_without_promtool_the_demo_says_the_promtool_step_was_skipped(tmp_path, flowops, monkeypatch):
    import shutil

    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "promtool" else real(name, *a, **k))
    result = flowops(["demo", str(tmp_path / "tour")])
    assert result.exit_code == 0, result.stderr
    assert "(promtool is not installed here: the promtool step was skipped" in result.stdout
    assert "(promtool not on PATH: `promtool check rules` skipped)" in result.stdout
    assert "state: Deployed" in result.stdout


def test_the_demo_refuses_a_folder_that_is_not_empty(tmp_path, flowops):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "file.txt").write_text("mine")
    result = flowops(["demo", str(tmp_path / "busy")])
    assert result.exit_code == 2 and "not empty" in result.stderr
    assert (tmp_path / "busy" / "file.txt").read_text() == "mine"

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
    assert "7 tasks created, 0 reused" in out and "0 tasks created, 7 reused" in out
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


def test_the_demo_refuses_a_folder_that_is_not_empty(tmp_path, flowops):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "file.txt").write_text("mine")
    result = flowops(["demo", str(tmp_path / "busy")])
    assert result.exit_code == 2 and "not empty" in result.stderr
    assert (tmp_path / "busy" / "file.txt").read_text() == "mine"

"""`flowops incident ...` through the command line: JSON shapes, stdin, hooks.yaml, serve, errors."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.incidents.conftest import PAYLOADS, make_ops_project
from tests.support.state import audit_log

VENV_BIN = Path(sys.executable).parent
TOKEN = "9f2c4e1a-incident-token"


@pytest.fixture
def ops_project(repo, flowops):
    return make_ops_project(repo, flowops)


def events(repo, prefix="incident."):
    log = audit_log(repo)
    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    return [r["event"]["type"] for r in records if r.get("kind") == "event" and r["event"]["type"].startswith(prefix)]


def run_json(flowops, args, **kwargs):
    result = flowops(args, **kwargs)
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


def test_open_note_ack_resolve_show_and_list(flowops, ops_project):
    opened = run_json(flowops, "incident open 'Card payments fail at checkout' --alert HighErrorRate --severity critical "
                               "-a @sara --by Sara --json")
    assert opened["schemaVersion"] == 1 and opened["kind"] == "incident-open" and opened["action"] == "opened"
    incident = opened["incident"]
    assert (incident["id"], incident["state"], incident["severity"]) == ("TASK-2", "acknowledged", "critical")
    assert incident["source"] == "manual"
    assert incident["seconds_to_acknowledge"] == 0 and incident["references"] == ["TASK-1"]
    note = run_json(flowops, "incident note 2 'payment pool exhausted; rolling back' --by Li --json")
    assert note["kind"] == "incident-note" and note["entries"][0]["by"] == "Li" and note["events"] == ["incident.note_added"]
    assert flowops("incident ack 2 --by Li").stdout.startswith("No change: TASK-2 was acknowledged at ")
    resolved = run_json(flowops, "incident resolve 2 --by Sara --summary 'rolled back to 2026.11.1' --json")
    assert resolved["postmortem"]["doc_id"] == "doc-4" and resolved["postmortem"]["task_id"] == "TASK-2.1"
    assert resolved["events"] == ["incident.resolved", "incident.postmortem_created"]

    shown = flowops("incident show 2")
    assert shown.exit_code == 0, shown
    assert "[note Li] payment pool exhausted; rolling back" in shown.stdout
    path = "backlog/docs/doc-4 - Postmortem-TASK-2-Card-payments-fail-at-checkout.md"
    assert f"Postmortem: unfinished (doc-4, {path})" in shown.stdout
    data = run_json(flowops, "incident show 2 --json")
    assert data["kind"] == "incident-show" and [e["kind"] for e in data["incident"]["timeline"]] == [
        "opened", "note", "resolved", "postmortem"]
    listed = run_json(flowops, "incident list --json")
    assert [i["id"] for i in listed["incidents"]] == ["TASK-2"]
    assert listed["incidents"][0]["postmortem"]["state"] == "unfinished"
    plain = flowops("incident list --plain").stdout.splitlines()
    assert plain[0] == "TASK-2 [resolved] [critical] Card payments fail at checkout"
    assert "postmortem: unfinished" in plain[1]
    assert events(ops_project) == ["incident.opened", "incident.note_added", "incident.resolved", "incident.postmortem_created"]


def test_from_alertmanager_reads_a_file_or_stdin(flowops, ops_project):
    first = run_json(flowops, f"incident from-alertmanager {PAYLOADS / '01_errors_firing.json'} --json")
    assert first["kind"] == "incident-notification" and first["action"] == "opened"
    again = run_json(flowops, "incident from-alertmanager - --json", input=(PAYLOADS / "02_errors_repeat.json").read_text())
    assert again["action"] == "repeat" and again["incident"]["id"] == first["incident"]["id"]
    text = flowops("incident from-alertmanager", input=(PAYLOADS / "06_latency_resolved.json").read_text())
    assert text.exit_code == 0 and text.stdout.startswith("Nothing to do: resolved notification ignored")
    assert flowops("incident list --all --json").stdout.count('"id": "TASK-') == 1


def test_bad_input_exits_2_naming_the_place(flowops, ops_project, tmp_path):
    bad = tmp_path / "bad.json"
    payload = json.loads((PAYLOADS / "01_errors_firing.json").read_text())
    payload["alerts"][0]["startsAt"] = 1730000000
    bad.write_text(json.dumps(payload, indent=2))
    result = flowops(f"incident from-alertmanager {bad}")
    line = next(n for n, text in enumerate(bad.read_text().splitlines(), 1) if "1730000000" in text)
    assert result.exit_code == 2 and f"{bad}:{line}, field 'alerts[0].startsAt': must be an RFC 3339 time string" in result.stderr
    assert flowops("incident from-alertmanager /no/such.json").exit_code == 2
    assert flowops("incident resolve 2 --no-postmortem").exit_code == 2
    assert flowops("incident resolve 2 --reason 'x'").exit_code == 2
    assert flowops("incident note TASK-1 'hello'").exit_code == 1  # not an incident
    assert "TASK-1 is not an incident" in flowops("incident note TASK-1 'hello'").stderr
    assert flowops("incident resolve 1 --at tomorrow").exit_code == 2
    assert flowops("incident list --since soon").exit_code == 2


def test_a_hooks_yaml_command_handler_feeds_from_alertmanager(flowops, ops_project):
    (ops_project / ".flowops" / "hooks.yaml").write_text(
        "version: 1\n"
        "hooks:\n"
        "  - name: incidents-from-alertmanager\n"
        "    events: [\"alertmanager.notification\"]\n"
        "    command: [\"flowops\", \"incident\", \"from-alertmanager\", \"-\"]\n"
        "    timeout: 60\n"
        "    fail_mode: stop\n",
        encoding="utf-8",
    )
    payload = (PAYLOADS / "01_errors_firing.json").read_text()
    env = {"PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = flowops(["hooks", "emit", "alertmanager.notification", "--json-data", payload], env=env)
    assert result.exit_code == 0, result
    assert "incident.opened" in events(ops_project)
    listed = json.loads(flowops("incident list --json").stdout)["incidents"]
    assert [(i["id"], i["source"]) for i in listed] == [("TASK-2", "alertmanager")]


def _flowops_process(repo, *args, env=None):
    return subprocess.Popen([str(VENV_BIN / "flowops"), *args], cwd=repo, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})})


def test_serve_refuses_the_network_without_a_token(ops_project):
    process = _flowops_process(ops_project, "incident", "serve", "--host", "0.0.0.0", "--port", "0",
                               env={"FLOWOPS_INCIDENT_TOKEN": ""})
    out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "refusing to listen on 0.0.0.0:0 without authentication" in err and "FLOWOPS_INCIDENT_TOKEN" in err


@pytest.mark.slow
def test_serve_answers_alertmanager_and_stops_on_sigterm(ops_project):
    process = _flowops_process(ops_project, "incident", "serve", "--host", "0.0.0.0", "--port", "0",
                               env={"FLOWOPS_INCIDENT_TOKEN": TOKEN})
    try:
        line = process.stderr.readline()
        match = re.search(r"listening on http://[^:]+:(\d+)/alertmanager .*\(authentication: bearer token\)", line)
        assert match, line
        url = f"http://127.0.0.1:{match.group(1)}/alertmanager"
        body = (PAYLOADS / "01_errors_firing.json").read_bytes()
        request = urllib.request.Request(url, data=body, headers={"Authorization": f"Bearer {TOKEN}",
                                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
        assert answer["action"] == "opened" and answer["incident"]["id"] == "TASK-2"
        unauthenticated = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(unauthenticated, timeout=30)
        assert refused.value.code == 401
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "stopped after 1 notification(s)" in err and TOKEN not in err


def test_serve_says_when_the_port_is_taken(ops_project):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = _flowops_process(ops_project, "incident", "serve", "--port", str(port))
        _out, err = process.communicate(timeout=60)
    assert process.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in err

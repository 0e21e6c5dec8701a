import hashlib
import json
import os
import subprocess
import sys

import pytest
import responses

from flowops.events import audit
from flowops.events.bus import emit
from tests.events.conftest import audit_records
from tests.support.state import audit_log


def log_lines(repo):
    return audit_log(repo).read_text(encoding="utf-8").splitlines()


def write_lines(repo, lines):
    audit_log(repo).write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def test_each_event_and_each_delivery_is_one_chained_record(project, write_hooks, repo):
    write_hooks('version: 1\nhooks:\n  - {name: ok, events: ["deploy.*"], command: ["true"]}\n'
                '  - {name: bad, events: ["deploy.*"], command: ["false"]}\n')
    report = emit(project, "deploy.completed", task_id="TASK-1")
    event, ok, bad = audit_records(repo)
    assert event["kind"] == "event" and event["event"] == report.event.to_dict()
    assert (ok["kind"], ok["handler"], ok["ok"], ok["exit_code"], ok["attempts"]) == ("delivery", "ok", True, 0, 1)
    assert (bad["handler"], bad["ok"], bad["exit_code"], bad["error"]) == ("bad", False, 1, "exit code 1")
    assert isinstance(bad["duration_ms"], float)
    assert event["prev"] == audit.GENESIS and ok["prev"] == event["hash"] and bad["prev"] == ok["hash"]
    assert audit.verify(project).ok


def test_a_changed_record_is_found(project, repo):
    for _ in range(3):
        emit(project, "deploy.completed")
    lines = log_lines(repo)
    record = json.loads(lines[1])
    record["event"]["data"]["task_id"] = "TASK-666"
    lines[1] = json.dumps(record, sort_keys=True, separators=(",", ":"))
    write_lines(repo, lines)
    checked = audit.verify(project)
    assert (checked.ok, checked.line) == (False, 2)
    assert "changed after it was written" in checked.problem


def test_a_removed_record_breaks_the_next_link(project, repo):
    for _ in range(4):
        emit(project, "deploy.completed")
    lines = log_lines(repo)
    del lines[1]
    write_lines(repo, lines)
    checked = audit.verify(project)
    assert (checked.ok, checked.line) == (False, 2)
    assert "link to the previous record is broken" in checked.problem


def test_a_torn_tail_is_reported_as_an_interrupted_write_and_readers_skip_it(project, repo, flowops):
    emit(project, "deploy.completed")
    path = audit_log(repo)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"kind":"event","ev')  # kill -9 in the middle of a write

    checked = audit.verify(project)
    shown = flowops("hooks log --verify")

    assert checked.ok and checked.records == 1
    assert [(i.line, i.size, i.repaired) for i in checked.interrupted] == [(2, 19, False)]
    assert shown.exit_code == 0 and "interrupted write" in shown.stdout
    assert [r["kind"] for r in audit.select(project)] == ["event"]


def test_the_next_append_heals_a_torn_tail_and_records_the_repair(project, repo):
    emit(project, "deploy.completed")
    path = audit_log(repo)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"kind":"event","ev')

    emit(project, "deploy.failed")

    records = [json.loads(line) for line in log_lines(repo)]  # every line is a whole record again
    assert [r["kind"] for r in records] == ["event", "log.repaired", "event"]
    repaired = records[1]
    assert repaired["dropped_bytes"] == 19 and repaired["prev"] == records[0]["hash"]
    checked = audit.verify(project)
    assert checked.ok and checked.records == 3 and checked.interrupted == []


def test_a_log_an_older_flowops_chained_past_a_torn_line_verifies(project, repo):
    emit(project, "deploy.completed")
    torn = '{"kind":"event","ev'
    with audit_log(repo).open("a", encoding="utf-8") as handle:
        handle.write(torn + "\n")
    # Older versions chained the next record onto the torn bytes' hash.
    body = {"time": "2026-01-01T00:00:00Z", "kind": "error", "error": "x", "prev": hashlib.sha256(torn.encode()).hexdigest()}
    body["hash"] = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()
    with audit_log(repo).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(body, sort_keys=True, separators=(",", ":")) + "\n")

    checked = audit.verify(project)

    assert checked.ok, checked
    assert [(i.line, i.repaired) for i in checked.interrupted] == [(2, True)]


def test_a_torn_line_in_the_middle_that_nothing_acknowledges_still_fails(project, repo):
    emit(project, "deploy.completed")
    emit(project, "deploy.failed")
    lines = log_lines(repo)
    write_lines(repo, [lines[0], '{"kind":"event","ev', lines[1]])
    checked = audit.verify(project)
    assert (checked.ok, checked.line) == (False, 2)


def test_secrets_never_reach_the_log(project, write_hooks, repo, monkeypatch):
    monkeypatch.setenv("OPS_TOKEN", "tok-7d1e22")
    monkeypatch.setenv("CHAT_WEBHOOK_URL", "https://bot:pw-90x1@chat.example.com/hook/abc123xyz")
    monkeypatch.setenv("HOOK_SECRET", "hmac-5ecret")
    write_hooks(
        """
        version: 1
        hooks:
          - name: leaky
            events: ["deploy.*"]
            command: ["sh", "-c", "echo token $TOKEN $PLAIN >&2; exit 2"]
            env: {TOKEN: "${OPS_TOKEN}", PLAIN: "literal-value-1"}
          - name: chat
            events: ["deploy.*"]
            webhook: {url: "${CHAT_WEBHOOK_URL}", secret_env: HOOK_SECRET, retries: 0}
        """
    )
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, "https://bot:pw-90x1@chat.example.com/hook/abc123xyz", status=500, body="no thanks")
        report = emit(project, "deploy.completed")
    assert [r.ok for r in report.results] == [False, False]
    text = audit_log(repo).read_text()
    text += json.dumps(report.to_dict())
    for secret in ("tok-7d1e22", "literal-value-1", "pw-90x1", "abc123xyz", "hmac-5ecret"):
        assert secret not in text


@pytest.mark.slow
def test_concurrent_emitters_leave_intact_records_and_a_valid_chain(project, repo):
    # FLOWOPS_CACHE_DIR stays: tests never write caches into the real home.
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWOPS_") or k == "FLOWOPS_CACHE_DIR"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "flowops", "hooks", "emit", "deploy.completed", "--task-id", f"TASK-{n}"],
            cwd=repo,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for n in range(20)
    ]
    errors = [proc.communicate()[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 20, errors
    records = audit_records(repo)  # every line parses: nothing torn or interleaved
    assert sorted(r["event"]["subject"] for r in records if r["kind"] == "event") == sorted(f"TASK-{n}" for n in range(20))
    assert audit.verify(project).ok


@pytest.mark.slow
def test_kill_9_in_the_middle_of_appends_never_breaks_verify(project, repo):
    import signal
    import time

    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWOPS_") or k == "FLOWOPS_CACHE_DIR"}
    # ~1.8 MB records: the kernel copies a big write page by page and stops at a pending
    # SIGKILL, so a kill sent as soon as the log starts growing tears the line.
    blob = [arg for n in range(15) for arg in ("--data", f"b{n}={'x' * 120_000}")]
    emit(project, "deploy.started")
    path = audit_log(repo)
    torn = 0
    started = time.monotonic()
    for n in range(40):
        before = path.stat().st_size
        proc = subprocess.Popen(
            [sys.executable, "-m", "flowops", "hooks", "emit", "deploy.completed", "--task-id", f"TASK-{n}", *blob],
            cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and os.stat(path).st_size == before:
            pass
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if not path.read_bytes().endswith(b"\n"):
            torn += 1
            emit(project, "deploy.after_the_tear")  # the next append heals it
            assert audit.verify(project).ok
        if torn >= 3 or time.monotonic() - started > 40:
            break
    emit(project, "deploy.completed", task_id="TASK-final")

    assert torn >= 1, "no kill landed in the middle of a write"
    checked = audit.verify(project)
    assert checked.ok and checked.interrupted == [], checked
    assert all(json.loads(line) for line in log_lines(repo))  # every line is a whole record
    assert audit_records(repo)[-1]["event"]["subject"] == "TASK-final"


def test_select_filters_by_type_glob_and_tail(project, write_hooks):
    write_hooks('version: 1\nhooks:\n  - {name: ok, events: ["deploy.*"], command: ["true"]}\n')
    emit(project, "deploy.completed")
    emit(project, "task.created")
    emit(project, "deploy.failed")
    deploy = audit.select(project, type_glob="deploy.*")
    assert [(r["kind"], audit.record_type(r)) for r in deploy] == [
        ("event", "deploy.completed"),
        ("delivery", "deploy.completed"),
        ("event", "deploy.failed"),
        ("delivery", "deploy.failed"),
    ]
    assert [audit.record_type(r) for r in audit.select(project, tail=2)] == ["deploy.failed", "deploy.failed"]

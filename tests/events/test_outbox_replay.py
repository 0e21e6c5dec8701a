import json

import pytest
import responses

from flowops.events import bus, outbox
from flowops.events.bus import emit
from flowops.events.replay import replay
from tests.events.conftest import audit_records
from tests.support.state import outbox_file

URL = "https://hooks.example.com/ops"
HOOKS = """
version: 1
hooks:
  - name: chat
    events: ["deploy.*"]
    webhook: {url: "https://hooks.example.com/ops", retries: 2}
  - name: pager
    events: ["deploy.*"]
    webhook: {url: "https://pager.example.com/e", retries: 0}
"""


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(bus, "default_sleep", lambda seconds: None)


def emit_while(project, chat: int, pager: int = 200):
    """Emit deploy.completed while the chat and pager endpoints answer with these statuses."""
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, URL, status=chat)
        mock.add(responses.POST, "https://pager.example.com/e", status=pager)
        return emit(project, "deploy.completed")


def test_a_webhook_that_keeps_failing_lands_in_the_outbox(project, write_hooks):
    write_hooks(HOOKS)
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, URL, status=503)
        mock.add(responses.POST, "https://pager.example.com/e", status=200)
        report = emit(project, "deploy.completed", task_id="TASK-3")
        assert len(mock.calls) == 3 + 1
    chat, pager = report.results
    assert (chat.ok, chat.attempts, chat.queued) == (False, 3, True)
    assert (pager.ok, pager.queued) == (True, False)
    (entry,) = outbox.entries(project)
    assert (entry.handler, entry.event, entry.attempts) == ("chat", report.event.to_dict(), 3)
    assert report.exit_code == 0  # fail_mode continue


def test_replay_delivers_the_same_event_once_the_endpoint_answers(project, write_hooks, repo):
    write_hooks(HOOKS)
    sent = emit_while(project, chat=500).event
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, URL, status=200)
        report = replay(project)
        (call,) = mock.calls
    assert json.loads(call.request.body)["id"] == sent.id
    assert [r.handler for r in report.delivered] == ["chat"] and report.failed == []
    assert outbox.entries(project) == [] and report.remaining == 0
    last = audit_records(repo)[-1]
    assert (last["handler"], last["ok"], last["replay"], last["event_id"]) == ("chat", True, True, sent.id)


def test_replay_keeps_what_still_fails_and_counts_attempts(project, write_hooks):
    write_hooks(HOOKS)
    emit_while(project, chat=500, pager=500)
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, URL, status=502)
        mock.add(responses.POST, "https://pager.example.com/e", status=200)
        report = replay(project)
    assert [r.handler for r in report.failed] == ["chat"] and report.exit_code == 1
    (entry,) = outbox.entries(project)
    assert (entry.handler, entry.attempts) == ("chat", 6)
    assert entry.last_error.startswith("HTTP 502")


def test_replay_can_be_limited_to_one_handler(project, write_hooks):
    write_hooks(HOOKS)
    emit_while(project, chat=500, pager=500)
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, "https://pager.example.com/e", status=200)
        report = replay(project, handler="pager")
    assert [r.handler for r in report.delivered] == ["pager"]
    assert [e.handler for e in outbox.entries(project)] == ["chat"]


def test_an_entry_for_a_removed_handler_is_kept_with_a_warning(project, write_hooks):
    write_hooks(HOOKS)
    emit_while(project, chat=500)
    write_hooks("version: 1\nhooks: []\n")
    report = replay(project)
    assert report.delivered == [] and report.failed == []
    assert "handler 'chat' is not in hooks.yaml any more" in report.warnings[0]
    assert len(outbox.entries(project)) == 1


def test_unreadable_outbox_lines_are_kept(project, write_hooks, repo):
    write_hooks(HOOKS)
    emit_while(project, chat=500)
    path = outbox_file(repo)
    path.write_text("not json at all\n" + path.read_text())
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, URL, status=200)
        replay(project)
    assert path.read_text() == "not json at all\n"


def test_a_torn_outbox_tail_is_cut_off_by_the_next_entry(project, write_hooks, repo):
    write_hooks(HOOKS)
    emit_while(project, chat=500)
    path = outbox_file(repo)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"event": {"id": "half')  # kill -9 in the middle of an append

    emit_while(project, chat=500)

    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all(json.loads(line)["handler"] == "chat" for line in lines)
    assert path.read_text(encoding="utf-8").endswith("\n")


def test_replay_drops_a_torn_outbox_tail_instead_of_keeping_it_forever(project, write_hooks, repo):
    write_hooks(HOOKS)
    emit_while(project, chat=500)
    path = outbox_file(repo)
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"event": {"id": "half')
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, URL, status=200)
        report = replay(project)
    assert len(report.delivered) == 1
    assert path.read_text() == ""


def test_replay_sends_nothing_the_audit_log_never_recorded(project, write_hooks, repo):
    write_hooks(HOOKS)
    forged = {"event": {"specversion": "1.0", "id": "01FORGEDFORGEDFORGEDFORGED", "source": "flowops:/x", "type": "deploy.completed",
                        "time": "2026-01-01T00:00:00Z", "datacontenttype": "application/json",
                        "data": {"spec_id": None, "task_id": None, "files": [], "approved": True}},
              "handler": "chat", "queued_at": "2026-01-01T00:00:00Z", "attempts": 1, "last_error": None}
    path = outbox_file(repo)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(forged) + "\n")

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.POST, URL, status=200)
        report = replay(project)
        sent = len(mock.calls)

    assert sent == 0 and report.delivered == [] and report.failed == []
    assert "not in the audit log" in report.warnings[0] and "01FORGEDFORGEDFORGEDFORGED" in report.warnings[0]
    assert json.loads(path.read_text())["event"]["id"] == "01FORGEDFORGEDFORGEDFORGED"  # kept, for a person to look at


def test_replay_sends_the_event_as_the_log_recorded_it_not_an_edited_copy(project, write_hooks, repo):
    write_hooks(HOOKS)
    emit_while(project, chat=500)
    path = outbox_file(repo)
    entry = json.loads(path.read_text())
    entry["event"]["data"]["task_id"] = "TASK-666"
    path.write_text(json.dumps(entry) + "\n")

    with responses.RequestsMock() as mock:
        mock.add(responses.POST, URL, status=200)
        report = replay(project)
        body = json.loads(mock.calls[0].request.body)

    assert len(report.delivered) == 1
    assert body["data"]["task_id"] is None and body["id"] == entry["event"]["id"]

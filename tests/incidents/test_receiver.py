"""The HTTP receiver of `flowops incident serve`, started on an ephemeral port."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from contextlib import contextmanager

import pytest

from flowops.errors import UsageError
from flowops.events.webhook import SIGNATURE_HEADER, sign
from flowops.incidents.lookup import load_incidents
from flowops.incidents.receiver import (
    IncidentServer,
    ReceiverConfig,
    check_config,
    is_loopback,
    notification_processor,
)
from tests.incidents.conftest import PAYLOADS
from tests.support.state import audit_log

TOKEN = "s3cr3t-token-for-alertmanager"


@contextmanager
def serving(config: ReceiverConfig, process):
    logged: list[str] = []
    server = IncidentServer(config, process, log=logged.append)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server, logged
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def post(server, body: bytes, headers=None, path="/alertmanager", method="POST"):
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request(method, path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        data = response.read()
        return response.status, json.loads(data) if data else None, dict(response.getheaders())
    finally:
        connection.close()


@pytest.fixture
def receiver(ops_project, monkeypatch):
    monkeypatch.delenv("FLOWOPS_NO_HOOKS", raising=False)

    @contextmanager
    def start(**fields):
        config = ReceiverConfig(**({"port": 0} | fields))
        with serving(config, notification_processor(ops_project)) as running:
            yield running

    return start


def test_notifications_posted_in_order_make_the_same_two_incidents(receiver, backlog):
    with receiver() as (server, logged):
        statuses = []
        for path in sorted(PAYLOADS.glob("0*.json")):
            status, document, _headers = post(server, json.dumps(json.loads(path.read_bytes())).encode())
            statuses.append((status, document["action"]))
    assert statuses == [(200, "opened"), (200, "repeat"), (200, "opened"), (200, "updated"), (200, "resolved"), (200, "resolved")]
    assert [i.id for i in load_incidents(backlog).incidents] == ["TASK-2", "TASK-3"]
    assert logged[0].endswith("POST /alertmanager 200 opened TASK-2") and len(logged) == 6
    events = [json.loads(line) for line in audit_log(backlog.project.root).read_text().splitlines()]
    types = [record["event"]["type"] for record in events if record.get("kind") == "event"]
    assert types.count("incident.opened") == 2 and "incident.resolved" in types and "incident.updated" in types


def test_a_token_is_required_when_configured(receiver, backlog):
    body = (PAYLOADS / "01_errors_firing.json").read_bytes()
    with receiver(token=TOKEN) as (server, logged):
        status, document, headers = post(server, body)
        assert status == 401 and document["error"]["code"] == "unauthorized"
        assert headers["WWW-Authenticate"].startswith("Bearer")
        assert post(server, body, {"Authorization": "Bearer wrong"})[0] == 401
        assert post(server, body, {"Authorization": f"Bearer {TOKEN}"})[0] == 200
    assert len(load_incidents(backlog).incidents) == 1
    assert all(TOKEN not in line for line in logged)


def test_an_hmac_signature_is_accepted_when_a_secret_is_configured(receiver, backlog):
    body = (PAYLOADS / "01_errors_firing.json").read_bytes()
    with receiver(hmac_secret="hmac-secret") as (server, _logged):
        assert post(server, body, {SIGNATURE_HEADER: sign("other", body)})[0] == 401
        assert post(server, body, {SIGNATURE_HEADER: sign("hmac-secret", body)})[0] == 200


def test_an_oversized_body_gets_413_and_is_not_read(receiver, backlog):
    with receiver(max_body=2048) as (server, _logged):
        status, document, _ = post(server, b"{" + b" " * 4096 + b"}")
        assert status == 413 and "over the 2048 byte limit" in document["error"]["message"]
        # The default limit, 1 MiB: only the headers are sent, and the answer comes anyway.
    with receiver() as (server, _logged):
        host, port = server.server_address[:2]
        with socket.create_connection((host, port), timeout=10) as raw:
            raw.sendall(b"POST /alertmanager HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        b"Content-Length: 1048577\r\n\r\n")
            answer = raw.recv(4096).decode()
        assert answer.startswith("HTTP/1.0 413") or answer.startswith("HTTP/1.1 413")
    assert load_incidents(backlog).incidents == []


def test_what_is_not_a_notification_is_refused_and_the_server_goes_on(receiver, backlog):
    with receiver() as (server, _logged):
        assert post(server, b"", method="GET")[0] == 405
        status, _doc, headers = post(server, b"{}", method="PUT")
        assert status == 405 and headers["Allow"] == "POST"
        assert post(server, b"{}", path="/other")[0] == 404
        status, document, _ = post(server, b'{"status": "firing"}')
        assert status == 400 and "groupKey" in document["error"]["message"]
        assert post(server, b"not json")[0] == 400
        host, port = server.server_address[:2]
        with socket.create_connection((host, port), timeout=10) as raw:
            raw.sendall(b"POST /alertmanager HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            assert b" 411 " in raw.recv(4096)
        assert post(server, (PAYLOADS / "01_errors_firing.json").read_bytes())[0] == 200
        assert server.handled == 3


def test_a_failure_inside_processing_is_a_500_and_the_next_request_works(ops_project):
    calls = []

    def process(body):
        calls.append(body)
        if len(calls) == 1:
            raise RuntimeError("disk on fire")
        return 200, {"schemaVersion": 1, "kind": "incident-notification", "action": "opened", "incident": {"id": "TASK-9"}}

    with serving(ReceiverConfig(port=0), process) as (server, logged):
        status, document, _ = post(server, b"{}")
        assert status == 500 and "disk on fire" in document["error"]["message"]
        assert post(server, b"{}")[0] == 200
    assert any("RuntimeError: disk on fire" in line for line in logged)


def test_a_store_failure_is_a_500_so_alertmanager_retries(receiver, ops_project):
    (ops_project / ".flowops" / "locks").mkdir(exist_ok=True)
    with receiver() as (server, _logged):
        import flowops.incidents.lifecycle as lifecycle

        original = lifecycle.LOCK_TIMEOUT
        lifecycle.LOCK_TIMEOUT = 0.2
        try:
            from flowops.locks import file_lock

            with file_lock(ops_project / ".flowops" / "locks" / "incidents.lock"):
                status, document, _ = post(server, (PAYLOADS / "01_errors_firing.json").read_bytes())
        finally:
            lifecycle.LOCK_TIMEOUT = original
    assert status == 500 and "could not lock" in document["error"]["message"]


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.0.1", True), ("::1", True), ("localhost", True),
    ("0.0.0.0", False), ("::", False), ("10.0.0.5", False), ("ops.example.com", False),
])
def test_loopback_addresses(host, loopback):
    assert is_loopback(host) is loopback


def test_a_receiver_reachable_from_the_network_needs_authentication():
    with pytest.raises(UsageError) as caught:
        check_config(ReceiverConfig(host="0.0.0.0"))
    assert "FLOWOPS_INCIDENT_TOKEN" in caught.value.hint and caught.value.exit_code == 2
    check_config(ReceiverConfig(host="0.0.0.0", token=TOKEN))
    check_config(ReceiverConfig(host="127.0.0.1"))

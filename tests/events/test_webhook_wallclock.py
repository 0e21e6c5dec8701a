"""A webhook's timeout bounds the whole request by wall clock, even against a server that drips bytes."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from tests.support.state import outbox_file

DRIP_EVERY = 1.5  # seconds between two bytes, as in the issue


class DripServer:
    """Accepts HTTP requests and answers one byte every DRIP_EVERY seconds, forever.

    ``phase`` "headers" drips the status line and headers; "body" sends the headers at
    once (with a Content-Length) and drips the body.
    """

    def __init__(self, phase: str) -> None:
        self.phase = phase
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        self.accepted = 0
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def _serve(self) -> None:
        self.listener.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            self.accepted += 1
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                answer = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
                if self.phase == "body":
                    conn.sendall(answer)
                    answer = b"x" * 1000
                for byte in answer * 10:
                    if self.stopped.wait(DRIP_EVERY):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return

    def close(self) -> None:
        self.stopped.set()
        self.listener.close()


@pytest.fixture
def drip(request):
    servers: list[DripServer] = []

    def start(phase: str) -> DripServer:
        server = DripServer(phase)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def _bounded(flowops, args, seconds: float):
    """Run flowops in a thread; fail (instead of hanging the suite) when it does not return in time."""
    box: dict = {}
    started = time.monotonic()
    worker = threading.Thread(target=lambda: box.setdefault("result", flowops(args)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"flowops {args} still running after {seconds} s"
    return box["result"], time.monotonic() - started


def _hooks(repo, url: str, *, request_timeout: int, hook_timeout: int = 30, retries: int = 0) -> None:
    (repo / ".flowops" / "hooks.yaml").write_text(
        "version: 1\nhooks:\n  - name: chat\n    events: [\"task.*\", \"deploy.*\"]\n"
        f"    timeout: {hook_timeout}\n"
        f"    webhook: {{url: \"{url}\", timeout: {request_timeout}, retries: {retries}}}\n"
    )


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["headers", "body"])
def test_a_slow_drip_server_cannot_hold_a_task_create_past_the_webhook_timeout(flowops, repo, drip, phase):
    server = drip(phase)
    assert flowops("init").exit_code == 0
    _hooks(repo, server.url, request_timeout=2)

    result, elapsed = _bounded(flowops, ["task", "create", "Dripped"], seconds=90)

    assert result.exit_code == 0, result
    assert elapsed < 30  # 2 s of timeout, generously padded for a loaded machine (it hung > 120 s)
    assert "timed out" in result.stderr and "queued in the outbox" in result.stderr
    [entry] = [json.loads(line) for line in outbox_file(repo).read_text().splitlines()]
    assert entry["event"]["type"] == "task.created" and "timed out" in entry["last_error"]


@pytest.mark.slow
def test_the_hook_timeout_bounds_all_attempts_together(flowops, repo, drip):
    server = drip("headers")
    assert flowops("init").exit_code == 0
    _hooks(repo, server.url, request_timeout=600, hook_timeout=3, retries=5)

    result, elapsed = _bounded(flowops, ["hooks", "emit", "deploy.completed", "--json"], seconds=90)

    assert elapsed < 30  # a 3 s budget for every attempt together (each may take 600 s), padded for a loaded machine
    [delivery] = json.loads(result.stdout)["results"]
    assert delivery["ok"] is False and delivery["queued"] is True and "timed out" in delivery["error"]

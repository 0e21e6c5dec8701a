"""A failed webhook is described in one line a person can act on, not as a requests traceback text.

"connection refused by 127.0.0.1:9" instead of "HTTPConnectionPool(host=...): Max retries
exceeded ... NewConnectionError(...)"; "timed out after 1 s waiting for ..."; "HTTP 500 from host".
"""

from __future__ import annotations

import json
import socket
from contextlib import closing

import responses


def write_hook(repo, url: str, **webhook) -> None:
    (repo / ".flowops").mkdir(exist_ok=True)
    options = "".join(f"      {key}: {value}\n" for key, value in {"retries": 0, **webhook}.items())
    (repo / ".flowops" / "hooks.yaml").write_text(
        "version: 1\n"
        "hooks:\n"
        "  - name: chat\n"
        '    events: ["deploy.*"]\n'
        "    timeout: 5\n"
        "    webhook:\n"
        f'      url: "{url}"\n' + options
    )


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def error_of(flowops) -> str:
    result = flowops("hooks test chat --json")
    assert result.exit_code == 1, result
    return json.loads(result.stdout)["result"]["error"]


def test_a_refused_connection_is_one_line_naming_host_and_port(flowops, repo):
    port = free_port()
    write_hook(repo, f"http://127.0.0.1:{port}/hook")
    error = error_of(flowops)
    assert error == f"connection refused by 127.0.0.1:{port}"
    plain = flowops("hooks test chat --plain")
    assert "chat: failed" in plain.stdout and f"connection refused by 127.0.0.1:{port}" in plain.stdout
    assert "HTTPConnectionPool" not in plain.stdout + plain.stderr and "Max retries" not in plain.stdout + plain.stderr


def test_a_server_that_never_answers_times_out_in_one_line(flowops, repo):
    with closing(socket.socket()) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)  # accepts the connection in the kernel, never answers
        port = server.getsockname()[1]
        write_hook(repo, f"http://127.0.0.1:{port}/hook", timeout=1)
        error = error_of(flowops)
    assert error == f"timed out after 1 s waiting for 127.0.0.1:{port}"


@responses.activate
def test_an_http_error_names_status_and_host(flowops, repo):
    responses.add(responses.POST, "https://hooks.example.com/services/x", status=500, body="upstream down\nmore")
    write_hook(repo, "https://hooks.example.com/services/x")
    assert error_of(flowops) == "HTTP 500 from hooks.example.com: upstream down"


def test_an_unknown_host_says_the_name_does_not_resolve(flowops, repo):
    write_hook(repo, "http://no-such-host.invalid/hook")
    error = error_of(flowops)
    assert error == "cannot resolve the host name no-such-host.invalid"


@responses.activate
def test_retries_are_still_counted_after_the_one_line(flowops, repo, monkeypatch):
    responses.add(responses.POST, "https://hooks.example.com/x", status=503)
    responses.add(responses.POST, "https://hooks.example.com/x", status=503)
    write_hook(repo, "https://hooks.example.com/x", retries=1)
    monkeypatch.setattr("flowops.events.bus.default_sleep", lambda _seconds: None)
    assert error_of(flowops) == "HTTP 503 from hooks.example.com (gave up after 2 attempts)"

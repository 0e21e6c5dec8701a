"""``flowops incident serve``: a small receiver for Alertmanager's ``webhook_configs``.

Standard library only (``http.server``). Each POST to the configured path is one
Alertmanager notification, fed to the same code as ``flowops incident
from-alertmanager`` (``flowops.incidents.notifications``) under the backlog's locks.

- Authentication: a bearer token (``Authorization: Bearer <token>``, what Alertmanager
  sends with ``http_config.authorization``) and/or an HMAC-SHA256 signature of the body
  in ``X-Flowops-Signature-256: sha256=<hex>`` (the scheme of flowops' own webhooks).
  With neither configured the receiver only starts on a loopback address.
- Bounds: the body must declare its length (411 otherwise) and stay within
  ``max_body`` (413, the body is not read); a client has ``REQUEST_TIMEOUT`` seconds
  per socket operation.
- Answers: 200 with a JSON receipt; 400 for a payload that is not a valid
  notification (Alertmanager does not retry 4xx); 401, 404, 405 (POST only), 411, 413;
  500 when the backlog could not be written (Alertmanager retries 5xx). A failing
  request never stops the server.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from flowops.errors import UsageError

if TYPE_CHECKING:
    from flowops.events.bus import EmitReport
    from flowops.events.emitter import Undelivered

MAX_BODY = 1024 * 1024
REQUEST_TIMEOUT = 10.0
TOKEN_ENV = "FLOWOPS_INCIDENT_TOKEN"
HMAC_ENV = "FLOWOPS_INCIDENT_HMAC_SECRET"

# process(body) -> (HTTP status, JSON document); log(line) writes one log line.
Process = Callable[[bytes], "tuple[int, dict]"]
Log = Callable[[str], None]


@dataclass(frozen=True)
class ReceiverConfig:
    """Where to listen and what to require."""

    host: str = "127.0.0.1"
    port: int = 9095
    path: str = "/alertmanager"
    token: str | None = None
    hmac_secret: str | None = None
    max_body: int = MAX_BODY

    @property
    def authenticated(self) -> bool:
        return bool(self.token or self.hmac_secret)

    def describe_auth(self) -> str:
        kinds = [name for name, value in (("bearer token", self.token), ("HMAC signature", self.hmac_secret)) if value]
        return " or ".join(kinds) if kinds else "none (loopback only)"


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_config(config: ReceiverConfig) -> None:
    """UsageError (exit 2) for a receiver that must not start: reachable from the network without authentication."""
    if not config.path.startswith("/"):
        raise UsageError(f"--path must start with '/', not {config.path!r}")
    if config.max_body < 1:
        raise UsageError("the body limit must be at least 1 byte")
    if not config.authenticated and not is_loopback(config.host):
        raise UsageError(
            f"refusing to listen on {config.host}:{config.port} without authentication: anyone who can reach it "
            "could open incidents in this backlog",
            hint=f"set {TOKEN_ENV} (a bearer token: Alertmanager's http_config.authorization.credentials) or "
                 f"{HMAC_ENV} (an HMAC-SHA256 secret), or pass --token-file; or listen on 127.0.0.1 only",
        )


class IncidentServer(ThreadingHTTPServer):
    """A threading HTTP server that hands each notification body to ``process``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, config: ReceiverConfig, process: Process, log: Log | None = None) -> None:
        self.config = config
        self.process = process
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.handled = 0
        self._count_lock = threading.Lock()
        super().__init__((config.host, config.port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}{self.config.path}"

    def count(self) -> None:
        with self._count_lock:
            self.handled += 1


class _Handler(BaseHTTPRequestHandler):
    server: IncidentServer
    timeout = REQUEST_TIMEOUT
    server_version = "flowops-incident-receiver"
    sys_version = ""

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        summary = ""
        try:
            status, document, summary = self._post()
        except Exception as exc:  # one request's failure must not stop the server
            self.server.log(traceback.format_exc().rstrip())
            status, document = 500, _error("internal", f"{type(exc).__name__}: {exc}")
        self._answer(status, document, summary)

    def _post(self) -> tuple[int, dict, str]:
        config = self.server.config
        if self.path.split("?", 1)[0].rstrip("/") != config.path.rstrip("/"):
            return 404, _error("not-found", f"POST notifications to {config.path}"), ""
        if self.headers.get("Transfer-Encoding"):
            return 411, _error("length-required", "send the body with a Content-Length, not chunked"), ""
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            return 411, _error("length-required", "a Content-Length header is required"), ""
        try:
            length = int(length_text)
            if length < 0:
                raise ValueError
        except ValueError:
            return 400, _error("bad-request", f"Content-Length {length_text!r} is not a byte count"), ""
        if length > config.max_body:
            self.close_connection = True
            return 413, _error("too-large", f"the body is {length} bytes, over the {config.max_body} byte limit"), ""
        if config.token and not config.hmac_secret and not self._bearer_ok():
            return 401, _error("unauthorized", "a valid 'Authorization: Bearer <token>' header is required"), ""
        body = self.rfile.read(length)
        if len(body) != length:
            return 400, _error("bad-request", f"the body ended after {len(body)} of {length} bytes"), ""
        if config.authenticated and not (self._bearer_ok() or self._signature_ok(body)):
            return 401, _error("unauthorized", "a valid bearer token or X-Flowops-Signature-256 header is required"), ""
        status, document = self.server.process(body)
        self.server.count()
        return status, document, _summary(document)

    def _bearer_ok(self) -> bool:
        token = self.server.config.token
        if not token:
            return False
        scheme, _, value = (self.headers.get("Authorization") or "").strip().partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode("utf-8"), token.encode("utf-8"))

    def _signature_ok(self, body: bytes) -> bool:
        from flowops.events.webhook import SIGNATURE_HEADER, sign

        secret = self.server.config.hmac_secret
        given = (self.headers.get(SIGNATURE_HEADER) or "").strip()
        if not secret or not given:
            return False
        return hmac.compare_digest(given.encode("utf-8"), sign(secret, body).encode("utf-8"))

    def _not_allowed(self) -> None:
        self._answer(405, _error("method-not-allowed", "only POST is accepted"), "", extra={"Allow": "POST"})

    do_GET = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed  # noqa: N815

    def do_HEAD(self) -> None:  # noqa: N802
        self.send_response(405)
        self.send_header("Allow", "POST")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _answer(self, status: int, document: dict, summary: str, extra: dict[str, str] | None = None) -> None:
        data = (json.dumps(document, ensure_ascii=False) + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Bearer realm="flowops"')
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        message = document.get("error", {}).get("message") if status >= 400 else summary
        line = f"{when} {self.client_address[0]} {self.command} {self.path[:200]} {status}"
        self.server.log(line + (f" {message}" if message else ""))

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return  # every request is logged once by _answer, without headers (they may hold the token)


def _error(code: str, message: str) -> dict:
    return {"schemaVersion": 1, "kind": "error", "error": {"code": code, "message": message}}


def _summary(document: dict) -> str:
    if document.get("kind") != "incident-notification":
        return (document.get("error") or {}).get("message", "")
    incident = document.get("incident") or {}
    return f"{document.get('action')} {incident.get('id') or ''}".strip()


def notification_processor(root: Any, *, no_hooks: bool = False, log: Log | None = None) -> Process:
    """The ``process`` of a receiver for the project at ``root``: parse, apply under the locks, emit.

    The project's settings are read again for each request, so a changed config applies
    without a restart. Event delivery problems are logged; they do not fail the request
    (the events are in the audit log, undelivered webhooks in the outbox).
    """
    from flowops.backlog.store import Backlog
    from flowops.errors import FlowopsError
    from flowops.project import Project

    write = log or (lambda line: print(line, file=sys.stderr, flush=True))

    def process(body: bytes) -> tuple[int, dict]:
        from flowops.events.emitter import BusEmitter
        from flowops.incidents.alertmanager import parse_notification
        from flowops.incidents.model import IncidentSettings
        from flowops.incidents.notifications import apply_notification

        project = Project(root)
        backlog = Backlog(project)
        try:
            backlog.require()
            notification = parse_notification(body, "request body")
            outcome = apply_notification(project, backlog, notification, IncidentSettings.from_config(project.config))
        except UsageError as exc:
            return 400, _error("invalid", str(exc))
        except FlowopsError as exc:
            return 500, _error("failed", str(exc))

        def on_error(undelivered: Undelivered) -> None:
            first = str(undelivered.error).splitlines()[0]
            write(f"event {undelivered.type} for {undelivered.task_id}: not delivered: {first}")

        def on_report(report: EmitReport) -> None:
            for result in report.failed:
                write(f"event {report.event.type} for {report.event.data.get('task_id')}: handler {result.summary()}")

        outcome.emit_all(BusEmitter(project, no_hooks=no_hooks, on_report=on_report, on_error=on_error))
        document = {"schemaVersion": 1, "kind": "incident-notification", **outcome.to_dict(project.relpath)}
        return 200, document

    return process

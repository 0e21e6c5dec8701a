"""The ``webhook`` handler type: POST the event over HTTP(S), signed, with bounded retries.

- structured mode: the whole CloudEvent as the body, ``Content-Type: application/cloudevents+json``;
  binary mode: ``data`` as the body and the other attributes in ``ce-*`` headers.
- ``secret_env`` set: ``X-Flowops-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``,
  GitHub's scheme, so receivers written for GitHub webhooks verify it unchanged.
- 2xx is success; redirects are not followed; 408, 429 and 5xx (and connection errors)
  are retried with exponential backoff and jitter, honouring ``Retry-After``, within
  ``retries`` and the hook's ``timeout`` (the budget for all attempts); other 4xx are
  final; 410 means the endpoint is gone, so that event is not queued for replay.
- timeouts are wall-clock: ``requests``' own timeout applies to each socket operation,
  so a server that sends one byte every second never trips it. Each attempt runs in a
  worker thread that the handler waits for only until ``webhook.timeout`` (or what is
  left of the hook's budget); then the connection is shut down under it and the attempt
  counts as timed out (retried, then queued in the outbox).

``requests`` is imported only when a webhook is actually delivered.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from typing import Any, Mapping

from flowops.events.handlers import DeliveryContext, DeliveryResult, HandlerType
from flowops.events.secrets import VAR_RE, UnsetVariable, redact

SIGNATURE_HEADER = "X-Flowops-Signature-256"
STRUCTURED_CONTENT_TYPE = "application/cloudevents+json"
MODES = ("structured", "binary")
KEYS = ("url", "secret_env", "mode", "timeout", "retries", "headers")
DEFAULT_REQUEST_TIMEOUT = 10
DEFAULT_RETRIES = 3
MAX_RETRIES = 10
BACKOFF_BASE = 0.5  # seconds before the first retry, doubled each time
BACKOFF_CAP = 30.0
_ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def sign(secret: str, body: bytes) -> str:
    """The signature header value for ``body``: ``sha256=`` and the hex HMAC-SHA256."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def encode(event: Any, mode: str) -> tuple[bytes, dict[str, str]]:
    """The request body and content headers for ``event`` in ``mode``."""
    if mode == "binary":
        headers = {
            "Content-Type": event.datacontenttype,
            "ce-specversion": event.specversion,
            "ce-id": event.id,
            "ce-source": event.source,
            "ce-type": event.type,
            "ce-time": event.time,
        }
        if event.subject is not None:
            headers["ce-subject"] = event.subject
        return _json_bytes(event.data), headers
    return _json_bytes(event.to_dict()), {"Content-Type": STRUCTURED_CONTENT_TYPE}


class WebhookHandler(HandlerType):
    """POSTs events to ``webhook.url``."""

    def validate(self, config: Mapping[str, Any]) -> list:
        webhook = config.get("webhook")
        if not isinstance(webhook, dict):
            return [(("webhook",), "webhook must be a mapping with at least url")]
        problems: list = []
        for key in webhook:
            if key not in KEYS:
                problems.append((("webhook", key), f"unknown key '{key}' (known: {', '.join(KEYS)})"))
        url = webhook.get("url")
        if not isinstance(url, str) or not url:
            problems.append((("webhook", "url"), 'url is required, e.g. url: "${CHAT_WEBHOOK_URL}"'))
        elif not VAR_RE.search(url) and not url.startswith(("http://", "https://")):
            problems.append((("webhook", "url"), "url must start with http:// or https://"))
        secret_env = webhook.get("secret_env")
        if secret_env is not None and (not isinstance(secret_env, str) or not _ENV_NAME_RE.fullmatch(secret_env)):
            problems.append((("webhook", "secret_env"), "secret_env must be the name of an environment variable"))
        if webhook.get("mode", "structured") not in MODES:
            problems.append((("webhook", "mode"), f"mode must be one of {', '.join(MODES)}"))
        timeout = webhook.get("timeout", DEFAULT_REQUEST_TIMEOUT)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 1 <= timeout <= 600:
            problems.append((("webhook", "timeout"), f"timeout must be a number of seconds from 1 to 600, not {timeout!r}"))
        retries = webhook.get("retries", DEFAULT_RETRIES)
        if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= MAX_RETRIES:
            problems.append((("webhook", "retries"), f"retries must be a whole number from 0 to {MAX_RETRIES}, not {retries!r}"))
        headers = webhook.get("headers", {})
        if not isinstance(headers, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
            problems.append((("webhook", "headers"), "headers must be a mapping of header names to strings"))
        return problems

    def required_env(self, config: Mapping[str, Any]) -> list:
        secret_env = (config.get("webhook") or {}).get("secret_env")
        return [(("webhook", "secret_env"), secret_env)] if isinstance(secret_env, str) else []

    def describe(self, config: Mapping[str, Any]) -> str:
        webhook = config.get("webhook") or {}
        facts = [webhook.get("mode", "structured")]
        if webhook.get("secret_env"):
            facts.append("signed")
        return f"webhook: {redact(str(webhook.get('url')))} ({', '.join(facts)})"

    def deliver(self, event: Any, config: Mapping[str, Any], context: DeliveryContext) -> DeliveryResult:
        started = context.clock()
        result = DeliveryResult(handler=context.hook, kind="webhook", attempts=0)
        webhook = config["webhook"]
        try:
            prepared = self._prepare(event, webhook, context)
        except (UnsetVariable, _Unsigned) as exc:
            # Setting the variable and replaying fixes this, so keep the event.
            result.error = str(exc)
            result.requeue = True
            result.duration_ms = _ms(context.clock() - started)
            return result
        url, body, headers = prepared

        import requests

        request_timeout = webhook.get("timeout", DEFAULT_REQUEST_TIMEOUT)
        max_attempts = 1 + webhook.get("retries", DEFAULT_RETRIES)
        budget_end = started + context.timeout
        while True:
            result.attempts += 1
            remaining = max(budget_end - context.clock(), 0.001)
            response = None
            try:
                response = _post_within(url, body, headers, min(request_timeout, remaining))
            except _WallClockTimeout:
                result.status = None
                seconds = min(request_timeout, remaining)
                result.error = f"timed out after {seconds:g} s waiting for {endpoint(url)}"  # wall clock, as every timeout
                retryable = True
            except requests.RequestException as exc:
                result.status = None
                result.error = context.redact(request_error_text(exc, url, min(request_timeout, remaining)))
                retryable = True
            else:
                result.status = response.status_code
                result.ok, retryable, result.error = _judge(response, context)
            if result.ok or not retryable:
                break
            if result.attempts >= max_attempts:
                if result.attempts > 1:
                    result.error = f"{result.error} (gave up after {result.attempts} attempts)"
                break
            delay = _retry_after(response)
            if delay is None:
                import random

                delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (result.attempts - 1)) * random.uniform(0.5, 1.0)
            if context.clock() + delay >= budget_end:
                result.error = f"{result.error} (gave up: the next attempt would pass the {context.timeout:g} s limit)"
                break
            context.sleep(delay)
        result.requeue = not result.ok and result.status != 410
        result.duration_ms = _ms(context.clock() - started)
        return result

    def _prepare(self, event: Any, webhook: Mapping[str, Any], context: DeliveryContext) -> tuple[str, bytes, dict]:
        raw_url = webhook["url"]
        url = context.expand(raw_url)
        context.secrets.extend(_url_secrets(url, from_environment=url != raw_url))
        extra = context.expand(dict(webhook.get("headers") or {}))
        context.secrets.extend(extra.values())
        body, headers = encode(event, webhook.get("mode", "structured"))
        from flowops import __version__

        headers = {**extra, "User-Agent": f"flowops/{__version__}", **headers}
        secret_env = webhook.get("secret_env")
        if secret_env:
            secret = context.environ.get(secret_env)
            if not secret:
                raise _Unsigned(f"secret_env {secret_env} is not set; refusing to send the event unsigned")
            context.secrets.append(secret)
            headers[SIGNATURE_HEADER] = sign(secret, body)
        return url, body, headers


class _Unsigned(Exception):
    pass


class _WallClockTimeout(Exception):
    pass


def _post_within(url: str, body: bytes, headers: dict, seconds: float) -> Any:
    """POST and read the whole answer within ``seconds`` of wall clock, or raise _WallClockTimeout.

    DNS, connect, send, headers and body all count. The request runs in a daemon thread;
    on time-out its sockets are shut down, which ends a blocked read at once, so the
    thread finishes instead of lingering (one stuck in name resolution is left to end on
    its own: the process does not wait for it).
    """
    import threading

    import requests

    sockets: list = []
    box: dict[str, Any] = {}

    def attempt() -> None:
        session = requests.Session()
        adapter = _tracking_adapter(sockets)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        try:
            box["response"] = session.post(url, data=body, headers=headers, timeout=seconds, allow_redirects=False)
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc
        finally:
            session.close()

    worker = threading.Thread(target=attempt, name="flowops-webhook", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        _shut(sockets)
        worker.join(0.5)
        raise _WallClockTimeout(f"timed out: no complete answer within {seconds:g} s (wall clock)")
    if "error" in box:
        raise box["error"]
    return box["response"]


def _shut(sockets: list) -> None:
    import contextlib
    import socket

    for sock in list(sockets):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


_ADAPTER_CLASS: Any = None


def _tracking_adapter(sockets: list) -> Any:
    """A requests adapter whose connections append their sockets to ``sockets``."""
    global _ADAPTER_CLASS
    if _ADAPTER_CLASS is None:
        from requests.adapters import HTTPAdapter
        from urllib3.connection import HTTPConnection, HTTPSConnection
        from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

        class TrackedHTTP(HTTPConnection):
            sink: list | None = None

            def _new_conn(self):  # type: ignore[no-untyped-def]
                sock = super()._new_conn()
                if self.sink is not None:
                    self.sink.append(sock)
                return sock

        class TrackedHTTPS(HTTPSConnection):
            sink: list | None = None

            def _new_conn(self):  # type: ignore[no-untyped-def]
                sock = super()._new_conn()
                if self.sink is not None:
                    self.sink.append(sock)
                return sock

        class Adapter(HTTPAdapter):
            def __init__(self, sink: list) -> None:
                self.sink = sink
                super().__init__(max_retries=0)

            def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
                super().init_poolmanager(*args, **kwargs)
                sink = self.sink
                http = type("Pool", (HTTPConnectionPool,), {"ConnectionCls": type("C", (TrackedHTTP,), {"sink": sink})})
                https = type("Pool", (HTTPSConnectionPool,), {"ConnectionCls": type("C", (TrackedHTTPS,), {"sink": sink})})
                self.poolmanager.pool_classes_by_scheme = {"http": http, "https": https}

        _ADAPTER_CLASS = Adapter
    return _ADAPTER_CLASS(sockets)


def _judge(response: Any, context: DeliveryContext) -> tuple[bool, bool, str | None]:
    """(ok, retryable, error) for an HTTP response."""
    status = response.status_code
    if 200 <= status < 300:
        return True, False, None
    if status == 410:
        return False, False, "HTTP 410: the endpoint is gone; update or remove this handler"
    detail = f"HTTP {status} from {endpoint(getattr(response, 'url', None) or '')}"
    snippet = (response.text or "").strip().splitlines()[:1]
    if snippet:
        detail += f": {snippet[0][:160]}"
    if 300 <= status < 400:
        location = response.headers.get("Location", "")
        return False, False, context.redact(f"HTTP {status}: redirect to {location} not followed; configure the final URL")
    retryable = status in (408, 429) or status >= 500
    return False, retryable, context.redact(detail)


def endpoint(url: str) -> str:
    """``host`` or ``host:port`` of ``url``, without credentials: where a request went."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        return f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        return "?"


def request_error_text(exc: BaseException, url: str, seconds: float) -> str:
    """One line for a request that got no HTTP response: refused, timed out, unknown host, TLS.

    requests' own text ("HTTPConnectionPool(host=...): Max retries exceeded with url:
    ... (Caused by NewConnectionError(...))") buries the cause; the cause is found in the
    exception chain instead.
    """
    import requests

    where = endpoint(url)
    chain = list(_causes(exc))
    if isinstance(exc, requests.Timeout) or any(isinstance(e, TimeoutError) for e in chain):
        return f"timed out after {seconds:g} s waiting for {where}"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return f"connection refused by {where}"
    import socket

    if any(isinstance(e, socket.gaierror) or type(e).__name__ == "NameResolutionError" for e in chain):
        return f"cannot resolve the host name {where.partition(':')[0]}"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS error with {where}: {_last_words(chain[-1])}"
    if isinstance(exc, requests.ConnectionError):
        return f"cannot connect to {where}: {_last_words(chain[-1])}"
    return f"{type(exc).__name__}: {_last_words(exc)}"


def _causes(exc: BaseException):
    """``exc`` and every exception it wraps (args, urllib3's ``reason``, causes and contexts)."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = [*current.args, getattr(current, "reason", None), current.__cause__, current.__context__]
        todo.extend(e for e in wrapped if isinstance(e, BaseException))


def _last_words(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def _retry_after(response: Any) -> float | None:
    """Seconds asked for by ``Retry-After`` (delta-seconds or an HTTP date), if any."""
    if response is None:
        return None
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _url_secrets(url: str, *, from_environment: bool) -> list[str]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    found = [p for p in (parts.username, parts.password) if p]
    if from_environment:
        # A URL kept in the environment is a credential as a whole (chat webhooks carry
        # their token in the path), so its path and query are hidden too.
        found.append(url)
        tail = parts.path + (f"?{parts.query}" if parts.query else "")
        if len(tail) > 1:
            found.append(tail)
    return found


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)

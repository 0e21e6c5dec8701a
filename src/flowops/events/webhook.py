"""The ``webhook`` handler type: POST the event over HTTP(S), signed, with bounded retries.

- structured mode: the whole CloudEvent as the body, ``Content-Type: application/cloudevents+json``;
  binary mode: ``data`` as the body and the other attributes in ``ce-*`` headers.
- ``secret_env`` set: ``X-Flowops-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``,
  GitHub's scheme, so receivers written for GitHub webhooks verify it unchanged.
- 2xx is success; redirects are not followed; 408, 429 and 5xx (and connection errors)
  are retried with exponential backoff and jitter, honouring ``Retry-After``, within
  ``retries`` and the hook's ``timeout`` (the deadline for all attempts together); other
  4xx are final; 410 means the endpoint is gone, so that event is not queued for replay.
  The retry policy is urllib3's ``Retry`` (what is retried, how many times, Retry-After in
  seconds or as an HTTP date); flowops keeps the loop around it, because each attempt is
  bounded by wall clock (below) and the deadline spans them all.
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
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flowops.events.handlers import DeliveryContext, DeliveryResult, HandlerType
from flowops.events.secrets import UnsetVariable, redact

if TYPE_CHECKING:
    from flowops.events.model import Event

SIGNATURE_HEADER = "X-Flowops-Signature-256"
STRUCTURED_CONTENT_TYPE = "application/cloudevents+json"
MODES = ("structured", "binary")
KEYS = ("url", "secret_env", "mode", "timeout", "retries", "headers")
DEFAULT_REQUEST_TIMEOUT = 10
DEFAULT_RETRIES = 3
MAX_RETRIES = 10
BACKOFF_BASE = 0.5  # seconds before the first retry, doubled each time
BACKOFF_CAP = 30.0
# Retried statuses: request timeout, too many requests, every server error.
RETRY_STATUSES = frozenset({408, 429, *range(500, 600)})


def sign(secret: str, body: bytes) -> str:
    """The signature header value for ``body``: ``sha256=`` and the hex HMAC-SHA256."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def encode(event: Event, mode: str) -> tuple[bytes, dict[str, str]]:
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

    # What hooks.yaml may say under ``webhook:``, checked by flowops.schema (hooksfile.hooks_schema).
    schema: Mapping[str, Any] = {
        "properties": {
            "webhook": {
                "type": "object",
                "x-messages": {"type": "webhook must be a mapping with at least url"},
                "properties": {
                    "url": {"type": "string", "minLength": 1, "pattern": r"\Ahttps?://|\$\{",
                            "x-messages": {"pattern": "url must start with http:// or https://"},
                            "x-message": 'url is required, e.g. url: "${CHAT_WEBHOOK_URL}"'},
                    "secret_env": {"type": "string", "pattern": r"\A[A-Za-z_][A-Za-z0-9_]*\Z",
                                   "x-message": "secret_env must be the name of an environment variable"},
                    "mode": {"enum": list(MODES), "x-message": f"mode must be one of {', '.join(MODES)}"},
                    "timeout": {"type": "number", "minimum": 1, "maximum": 600,
                                "x-message": "timeout must be a number of seconds from 1 to 600, not {value!r}"},
                    "retries": {"type": "integer", "minimum": 0, "maximum": MAX_RETRIES,
                                "x-message": f"retries must be a whole number from 0 to {MAX_RETRIES}, not {{value!r}}"},
                    "headers": {"type": "object", "x-message": "headers must be a mapping of header names to strings",
                                "propertyNames": {"type": "string", "x-message": "headers must be a mapping of header names to strings"},
                                "additionalProperties": {"type": "string",
                                                         "x-message": "headers must be a mapping of header names to strings"}},
                },
                "required": ["url"],
                "propertyNames": {"enum": list(KEYS), "x-message": f"unknown key '{{value}}' (known: {', '.join(KEYS)})"},
            },
        },
    }

    def required_env(self, config: Mapping[str, Any]) -> list:
        secret_env = (config.get("webhook") or {}).get("secret_env")
        return [(("webhook", "secret_env"), secret_env)] if isinstance(secret_env, str) else []

    def describe(self, config: Mapping[str, Any]) -> str:
        webhook = config.get("webhook") or {}
        facts = [webhook.get("mode", "structured")]
        if webhook.get("secret_env"):
            facts.append("signed")
        return f"webhook: {redact(str(webhook.get('url')))} ({', '.join(facts)})"

    def deliver(self, event: Event, config: Mapping[str, Any], context: DeliveryContext) -> DeliveryResult:
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
        from urllib3.exceptions import MaxRetryError

        request_timeout = webhook.get("timeout", DEFAULT_REQUEST_TIMEOUT)
        retry = retry_policy(webhook.get("retries", DEFAULT_RETRIES))
        deadline = started + context.timeout
        while True:
            result.attempts += 1
            seconds = min(request_timeout, max(deadline - context.clock(), 0.001))
            response = None
            failure: Exception | None = None
            try:
                response = _post_within(url, body, headers, seconds)
            except _WallClockTimeout as exc:
                result.status, failure = None, exc
                result.error = f"timed out after {seconds:g} s waiting for {endpoint(url)}"  # wall clock, as every timeout
            except requests.RequestException as exc:
                result.status, failure = None, exc
                result.error = context.redact(request_error_text(exc, url, seconds))
            else:
                result.status = response.status_code
                result.ok, result.error = _judge(response, context)
                if result.ok or not retry.is_retry("POST", response.status_code, "Retry-After" in response.headers):
                    break
            try:
                retry = retry.increment("POST", url, response=response.raw if response is not None else None,
                                        error=failure)
            except MaxRetryError:
                if result.attempts > 1:
                    result.error = f"{result.error} (gave up after {result.attempts} attempts)"
                break
            delay = _delay(retry, response)
            if context.clock() + delay >= deadline:
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

        def track(sink: list | None, sock: Any) -> Any:
            if sink is not None:
                sink.append(sock)
            return sock

        class TrackedHTTP(HTTPConnection):
            sink: list | None = None

            def _new_conn(self) -> Any:
                return track(self.sink, super()._new_conn())

        class TrackedHTTPS(HTTPSConnection):
            sink: list | None = None

            def _new_conn(self) -> Any:
                return track(self.sink, super()._new_conn())

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


def retry_policy(retries: int) -> Any:
    """urllib3's ``Retry`` for ``retries`` retries of a webhook POST (``RETRY_STATUSES``, Retry-After honoured)."""
    global _RETRY_CLASS
    if _RETRY_CLASS is None:
        import random

        from urllib3.util.retry import Retry

        class WebhookRetry(Retry):
            # Retry-After counts on the statuses that ask for a pause; a 413 is final here.
            RETRY_AFTER_STATUS_CODES = frozenset({429, 503})

            def get_backoff_time(self) -> float:
                # urllib3 repeats the first failure at once; a receiver that has just failed
                # is rarely back a millisecond later, so every retry waits, with jitter.
                failures = len(self.history)
                if failures == 0:
                    return 0.0
                return min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (failures - 1)) * random.uniform(0.5, 1.0)

        _RETRY_CLASS = WebhookRetry
    # POST is retried too: every CloudEvent carries an id that receivers deduplicate on.
    return _RETRY_CLASS(total=retries, allowed_methods=None, status_forcelist=RETRY_STATUSES, redirect=0,
                        raise_on_status=False, respect_retry_after_header=True)


_RETRY_CLASS: Any = None


def _delay(retry: Any, response: Any) -> float:
    """Seconds to wait before the next attempt: what Retry-After asks for, else the backoff."""
    if response is not None and response.status_code in retry.RETRY_AFTER_STATUS_CODES:
        from urllib3.exceptions import InvalidHeader

        try:
            asked = retry.get_retry_after(response.raw)
        except InvalidHeader:
            asked = None
        if asked is not None:
            return float(asked)
    return float(retry.get_backoff_time())


def _judge(response: Any, context: DeliveryContext) -> tuple[bool, str | None]:
    """(ok, error) for an HTTP response; whether a failure is retried is the retry policy's call."""
    status = response.status_code
    if 200 <= status < 300:
        return True, None
    if status == 410:
        return False, "HTTP 410: the endpoint is gone; update or remove this handler"
    detail = f"HTTP {status} from {endpoint(getattr(response, 'url', None) or '')}"
    snippet = (response.text or "").strip().splitlines()[:1]
    if snippet:
        detail += f": {snippet[0][:160]}"
    if 300 <= status < 400:
        location = response.headers.get("Location", "")
        return False, context.redact(f"HTTP {status}: redirect to {location} not followed; configure the final URL")
    return False, context.redact(detail)


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

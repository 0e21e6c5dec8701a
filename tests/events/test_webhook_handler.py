import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
import responses

from flowops.events import bus
from flowops.events.bus import emit
from flowops.events.handlers import DeliveryContext, HookConfig
from flowops.events.model import Event
from flowops.events.webhook import SIGNATURE_HEADER, WebhookHandler, sign

URL = "https://hooks.example.com/flowops"


class FakeTime:
    """An injectable clock and sleeper: sleeping advances the clock, nothing waits."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time(monkeypatch):
    fake = FakeTime()
    monkeypatch.setattr(bus, "default_sleep", fake.sleep)
    return fake


def sample_event() -> Event:
    return Event("deploy.completed", "flowops:/shop", "01HXAMPLE", "2024-05-01T12:00:00.000Z", "TASK-12",
                 {"spec_id": "checkout", "task_id": "TASK-12", "files": []})


def deliver(webhook: dict, fake: FakeTime, *, timeout: float = 30, environ: dict | None = None):
    config = HookConfig({"name": "chat", "webhook": webhook, "timeout": timeout}, root=None)
    context = DeliveryContext(root=None, hook="chat", timeout=timeout, environ=environ or {}, sleep=fake.sleep, clock=fake.clock)
    return WebhookHandler().deliver(sample_event(), config, context)


def test_signature_matches_githubs_published_test_vector():
    assert sign("It's a Secret to Everybody", b"Hello, World!") == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    )


@responses.activate
def test_structured_mode_posts_the_signed_cloudevent():
    responses.add(responses.POST, URL, status=204)
    result = deliver({"url": URL, "secret_env": "HOOK_SECRET"}, FakeTime(), environ={"HOOK_SECRET": "s3cret-value"})
    assert (result.ok, result.status, result.attempts) == (True, 204, 1)
    request = responses.calls[0].request
    assert request.headers["Content-Type"] == "application/cloudevents+json"
    assert json.loads(request.body) == sample_event().to_dict()
    # A receiver verifies the raw body exactly as it would a GitHub webhook.
    expected = "sha256=" + hmac.new(b"s3cret-value", request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers[SIGNATURE_HEADER], expected)


@responses.activate
def test_binary_mode_carries_attributes_in_ce_headers():
    responses.add(responses.POST, URL, status=200)
    assert deliver({"url": URL, "mode": "binary"}, FakeTime()).ok
    request = responses.calls[0].request
    assert json.loads(request.body) == sample_event().data
    assert request.headers["Content-Type"] == "application/json"
    assert {k: v for k, v in request.headers.items() if k.startswith("ce-")} == {
        "ce-specversion": "1.0",
        "ce-id": "01HXAMPLE",
        "ce-source": "flowops:/shop",
        "ce-type": "deploy.completed",
        "ce-time": "2024-05-01T12:00:00.000Z",
        "ce-subject": "TASK-12",
    }
    assert SIGNATURE_HEADER not in request.headers


@responses.activate
def test_server_errors_are_retried_with_growing_backoff():
    for status in (500, 502, 200):
        responses.add(responses.POST, URL, status=status)
    fake = FakeTime()
    result = deliver({"url": URL, "retries": 3}, fake)
    assert (result.ok, result.attempts, len(responses.calls)) == (True, 3, 2 + 1)
    first, second = fake.sleeps
    assert 0.25 <= first <= 0.5 and 0.5 <= second <= 1.0


@responses.activate
def test_429_retry_after_seconds_is_honoured():
    responses.add(responses.POST, URL, status=429, headers={"Retry-After": "7"})
    responses.add(responses.POST, URL, status=200)
    fake = FakeTime()
    result = deliver({"url": URL}, fake)
    assert result.ok and result.attempts == 2
    assert fake.sleeps == [7.0]


@responses.activate
def test_retry_after_may_be_an_http_date():
    when = datetime.now(UTC) + timedelta(seconds=20)
    responses.add(responses.POST, URL, status=503, headers={"Retry-After": format_datetime(when, usegmt=True)})
    responses.add(responses.POST, URL, status=200)
    fake = FakeTime()
    assert deliver({"url": URL}, fake).ok
    assert 15 <= fake.sleeps[0] <= 21


@responses.activate
def test_an_unreadable_retry_after_falls_back_to_the_backoff():
    responses.add(responses.POST, URL, status=503, headers={"Retry-After": "soon, promise"})
    responses.add(responses.POST, URL, status=200)
    fake = FakeTime()
    assert deliver({"url": URL}, fake).ok
    assert 0.25 <= fake.sleeps[0] <= 0.5


@responses.activate
def test_retry_after_on_a_final_status_does_not_make_it_retried():
    responses.add(responses.POST, URL, status=413, headers={"Retry-After": "1"})
    fake = FakeTime()
    result = deliver({"url": URL}, fake)
    assert (result.ok, result.attempts, fake.sleeps) == (False, 1, [])


@responses.activate
def test_no_retries_means_one_attempt():
    responses.add(responses.POST, URL, status=503)
    result = deliver({"url": URL, "retries": 0}, FakeTime())
    assert (result.ok, result.attempts, len(responses.calls)) == (False, 1, 1)
    assert "gave up" not in result.error


@responses.activate
def test_retries_stop_at_the_hooks_time_budget():
    responses.add(responses.POST, URL, status=429, headers={"Retry-After": "60"})
    fake = FakeTime()
    result = deliver({"url": URL, "retries": 5}, fake, timeout=30)
    assert (result.ok, result.attempts, fake.sleeps) == (False, 1, [])
    assert "the next attempt would pass the 30 s limit" in result.error
    assert result.requeue


@responses.activate
def test_retries_are_bounded_in_attempts():
    responses.add(responses.POST, URL, status=503)
    result = deliver({"url": URL, "retries": 2}, FakeTime())
    assert (result.ok, result.attempts, len(responses.calls)) == (False, 3, 3)
    assert result.error.startswith("HTTP 503") and "gave up after 3 attempts" in result.error


@responses.activate
@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_other_client_errors_are_not_retried(status):
    responses.add(responses.POST, URL, status=status)
    result = deliver({"url": URL}, FakeTime())
    assert (result.ok, result.attempts, result.status, result.requeue) == (False, 1, status, True)


@responses.activate
def test_410_means_the_endpoint_is_gone_and_is_not_queued():
    responses.add(responses.POST, URL, status=410)
    result = deliver({"url": URL}, FakeTime())
    assert (result.ok, result.attempts, result.requeue) == (False, 1, False)
    assert "endpoint is gone" in result.error


@responses.activate
def test_redirects_are_not_followed():
    responses.add(responses.POST, URL, status=302, headers={"Location": "https://elsewhere.example/x"})
    responses.add(responses.POST, "https://elsewhere.example/x", status=200)
    result = deliver({"url": URL}, FakeTime())
    assert (result.ok, result.attempts, result.status) == (False, 1, 302)
    assert [call.request.url for call in responses.calls] == [URL]
    assert "not followed" in result.error


@responses.activate
def test_connection_errors_are_retried_and_credentials_hidden():
    secret_url = "https://bot:pa55word-x@hooks.example.com/services/T0/B0/tok3n"
    responses.add(responses.POST, "https://hooks.example.com/services/T0/B0/tok3n",
                  body=requests.ConnectionError(f"cannot reach {secret_url}"))
    fake = FakeTime()
    result = deliver({"url": "${CHAT_URL}", "retries": 1}, fake, environ={"CHAT_URL": secret_url})
    assert (result.ok, result.attempts, result.status) == (False, 2, None)
    assert result.error.startswith("cannot connect to hooks.example.com: ")
    for secret in ("pa55word-x", "tok3n", "/services/T0"):
        assert secret not in result.error


def test_a_missing_secret_refuses_to_send_unsigned():
    with responses.RequestsMock() as mock:
        result = deliver({"url": URL, "secret_env": "HOOK_SECRET"}, FakeTime(), environ={})
        assert len(mock.calls) == 0
    assert not result.ok and result.requeue
    assert result.error == "secret_env HOOK_SECRET is not set; refusing to send the event unsigned"


@responses.activate
def test_emit_delivers_to_a_configured_webhook(project, write_hooks, monkeypatch, fake_time):
    monkeypatch.setenv("CHAT_WEBHOOK_URL", URL)
    monkeypatch.setenv("FLOWOPS_WEBHOOK_SECRET", "It's a Secret to Everybody")
    responses.add(responses.POST, URL, status=429, headers={"Retry-After": "2"})
    responses.add(responses.POST, URL, status=200)
    write_hooks(
        """
        version: 1
        hooks:
          - name: chat
            events: ["deploy.completed"]
            webhook: {url: "${CHAT_WEBHOOK_URL}", secret_env: FLOWOPS_WEBHOOK_SECRET}
        """
    )
    report = emit(project, "deploy.completed", spec_id="checkout")
    (result,) = report.results
    assert (result.ok, result.status, result.attempts, fake_time.sleeps) == (True, 200, 2, [2.0])
    body = responses.calls[1].request.body
    assert json.loads(body)["id"] == report.event.id
    assert responses.calls[1].request.headers[SIGNATURE_HEADER] == sign("It's a Secret to Everybody", body)

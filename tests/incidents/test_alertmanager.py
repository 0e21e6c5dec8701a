"""Reading Alertmanager payloads: what is taken from them, and a located error for each bad field."""

from __future__ import annotations

import io
import json

import pytest

from flowops.errors import UsageError
from flowops.incidents.alertmanager import (
    MAX_PAYLOAD_BYTES,
    parse_notification,
    read_stream,
)
from tests.incidents.conftest import PAYLOADS, at, payload

ONE_ALERT = [{"status": "firing", "labels": {"alertname": "X"}, "startsAt": "2026-11-02T08:00:00Z"}]


def problems_of(data, source="payload.json"):
    with pytest.raises(UsageError) as caught:
        parse_notification(data if isinstance(data, (bytes, str)) else json.dumps(data, indent=2), source)
    return caught.value


def test_a_firing_notification_is_read_with_its_group_and_alerts():
    notification = parse_notification((PAYLOADS / "01_errors_firing.json").read_bytes(), "01.json")
    assert notification.status == "firing" and notification.receiver == "payments-oncall"
    assert notification.group_key == '{}/{service="checkout"}:{alertname="HighErrorRate", service="checkout"}'
    assert notification.alert_names == ["HighErrorRate"] and notification.severity == "critical"
    first, second = notification.alerts
    assert first.starts_at == at("2026-11-02T08:47:12.318Z") and first.ends_at is None  # Go's zero time
    assert first.fingerprint == "5f1c0d0e2a3b4c5d" and first.generator_url.startswith("http://prometheus-k8s-0")
    assert first.describe().startswith('HighErrorRate{instance="10.42.3.17:8080", job="checkout"')
    assert notification.annotation("summary") == "More than 1% of checkout requests fail"
    assert notification.annotation("description", common_only=True) is None


def test_go_times_with_nanoseconds_and_offsets_are_read():
    data = payload("03_latency_firing.json")
    data["alerts"][0]["startsAt"] = "2026-11-02T10:05:40.123456789+01:00"
    assert parse_notification(json.dumps(data), "p").alerts[0].starts_at == at("2026-11-02T09:05:40.123456Z")


def test_a_flowops_cloudevent_carrying_the_payload_is_unwrapped():
    event = {"specversion": "1.0", "id": "e1", "source": "flowops:/shop", "type": "alertmanager.notification",
             "data": {"spec_id": None, "task_id": None, "files": [], **payload("01_errors_firing.json")}}
    assert parse_notification(json.dumps(event), "stdin").group_key.endswith('service="checkout"}')


def test_missing_fingerprints_are_derived_from_the_labels_so_repeats_match():
    data = payload("03_latency_firing.json")
    del data["alerts"][0]["fingerprint"]
    one = parse_notification(json.dumps(data), "p").alerts[0].fingerprint
    assert one == parse_notification(json.dumps(data), "p").alerts[0].fingerprint and len(one) == 16


def test_every_problem_is_listed_with_its_field_and_line():
    data = payload("01_errors_firing.json")
    del data["groupKey"]
    data["status"] = "fired"
    data["alerts"][1]["labels"].pop("alertname")
    data["alerts"][1]["startsAt"] = "yesterday"
    error = problems_of(data)
    text = str(error)
    assert error.exit_code == 2
    assert "not a valid Alertmanager payload: 4 problems" in text
    located = {(p.field, p.line) for p in error.problems}
    lines = json.dumps(data, indent=2).splitlines()
    starts_line = next(n for n, line in enumerate(lines, 1) if '"yesterday"' in line)
    assert ("alerts[1].startsAt", starts_line) in located
    assert any(field == "status" for field, _line in located) and any(field == "groupKey" for field, _line in located)
    assert "payload.json:" in text and "has no 'alertname'" in text and "'yesterday' is not an RFC 3339 time" in text
    assert "must be one of firing, resolved, not 'fired'" in text


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "the payload is empty"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"status": "firing",\n "alerts": [}', "invalid JSON"),
        (b"[1, 2]", "must be a JSON object, not a list"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        ({"version": "3", "status": "firing", "groupKey": "k", "alerts": ONE_ALERT}, "unsupported payload version '3'"),
        ({"status": "firing", "groupKey": "k", "alerts": []}, "field 'alerts': is empty"),
        ({"status": "firing", "groupKey": "k", "alerts": {"a": 1}}, "must be a list of alerts"),
        ({"status": "firing", "groupKey": "k", "alerts": [
            {"status": "firing", "labels": {"alertname": 7}, "startsAt": "2026-11-02T08:00:00Z"}]},
         "must be a string, not a number"),
        ({"status": "firing", "groupKey": "", "alerts": ONE_ALERT}, "field 'groupKey': is missing or empty"),
        ({"status": "firing", "groupKey": "k", "truncatedAlerts": -1, "alerts": ONE_ALERT}, "truncatedAlerts"),
    ],
)
def test_bad_payloads_get_clear_errors(data, expected):
    if isinstance(data, dict):
        data = json.dumps(data)
    assert expected in str(problems_of(data))


def test_invalid_json_names_line_and_column():
    error = problems_of(b'{\n  "status": "firing",\n  "alerts": [,]\n}')
    assert error.line == 3 and "column" in error.message


def test_payloads_over_the_limit_are_refused_without_reading_further():
    stream = io.BytesIO(b"{" + b" " * MAX_PAYLOAD_BYTES + b"}")
    with pytest.raises(UsageError, match="over the 1 MiB limit"):
        read_stream(stream, "stdin")
    assert stream.tell() == MAX_PAYLOAD_BYTES + 1
    with pytest.raises(UsageError, match="over the 1 MiB limit"):
        parse_notification(b" " * (MAX_PAYLOAD_BYTES + 1), "body")


def test_long_lists_of_problems_are_cut_at_twenty():
    data = payload("01_errors_firing.json")
    data["alerts"] = [{"status": "firing"} for _ in range(30)]
    error = problems_of(data)
    assert len(error.problems) == 20 and "the first 20 shown" in error.message

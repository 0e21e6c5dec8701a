"""Reading an Alertmanager webhook notification (payload ``version: "4"``).

Used: ``status`` (``firing``/``resolved``), ``groupKey``, ``receiver``, ``groupLabels``,
``commonLabels``, ``commonAnnotations``, ``externalURL``, ``truncatedAlerts`` and
``alerts[]`` with ``status``, ``labels`` (``alertname`` required), ``annotations``,
``startsAt``, ``endsAt`` (Go's zero time ``0001-01-01T00:00:00Z`` while firing),
``generatorURL`` and ``fingerprint``. Other fields are ignored: Alertmanager and
compatible senders (Grafana) add some now and then.

A flowops CloudEvent whose ``data`` is such a payload (what a ``hooks.yaml`` command
handler reads on stdin) is unwrapped, so ``flowops incident from-alertmanager -`` works
as a handler. A payload is at most ``MAX_PAYLOAD_BYTES``; every problem found is
reported at once, each with its field path and, for a multi-line payload, its line.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO, NoReturn

from flowops.errors import Problem, UsageError
from flowops.incidents.model import worse
from flowops.incidents.timeline import parse_time
from flowops.yamlfile import Locations

MAX_PAYLOAD_BYTES = 1024 * 1024
MAX_PROBLEMS = 20
STATUSES = ("firing", "resolved")
_ZERO_TIME_YEAR = 1  # Go's time.Time{} is 0001-01-01T00:00:00Z
_FINGERPRINT_RE = re.compile(r"[0-9a-f]{1,64}")
_HINT = (
    "expected an Alertmanager webhook payload (version 4): "
    '{"version": "4", "status": "firing", "groupKey": "...", "alerts": [{"status": "firing", '
    '"labels": {"alertname": "..."}, "startsAt": "2026-11-29T08:47:00Z", ...}], ...}'
)


@dataclass(frozen=True)
class AlertmanagerAlert:
    """One alert of a notification."""

    status: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    fingerprint: str
    generator_url: str | None = None

    @property
    def name(self) -> str:
        return self.labels["alertname"]

    @property
    def severity(self) -> str | None:
        return self.labels.get("severity") or None

    @property
    def firing(self) -> bool:
        return self.status == "firing"

    def describe(self, limit: int = 200) -> str:
        """``HighErrorRate{instance="10.0.4.17:8080", service="checkout"}``, cut at ``limit`` characters."""
        shown = sorted((key, value) for key, value in self.labels.items() if key not in ("alertname", "severity"))
        others = ", ".join(f'{key}="{value}"' for key, value in shown)
        text = f"{self.name}{{{others}}}" if others else self.name
        return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Notification:
    """One webhook notification: a group of alerts and what they have in common."""

    status: str
    group_key: str
    alerts: tuple[AlertmanagerAlert, ...]
    receiver: str = ""
    group_labels: dict[str, str] = field(default_factory=dict)
    common_labels: dict[str, str] = field(default_factory=dict)
    common_annotations: dict[str, str] = field(default_factory=dict)
    external_url: str | None = None
    truncated_alerts: int = 0

    @property
    def firing(self) -> list[AlertmanagerAlert]:
        return [alert for alert in self.alerts if alert.firing]

    @property
    def resolved(self) -> list[AlertmanagerAlert]:
        return [alert for alert in self.alerts if not alert.firing]

    @property
    def alert_names(self) -> list[str]:
        return sorted({alert.name for alert in self.alerts})

    @property
    def severity(self) -> str | None:
        """``commonLabels.severity``, else the worst severity among the alerts (firing ones first)."""
        common = self.common_labels.get("severity")
        if common:
            return common
        found: str | None = None
        for alert in self.firing or list(self.alerts):
            found = worse(found, alert.severity)
        return found

    def annotation(self, name: str, *, common_only: bool = False) -> str | None:
        """A common annotation, else (unless ``common_only``) the first alert's (firing ones first)."""
        if self.common_annotations.get(name):
            return self.common_annotations[name]
        if common_only:
            return None
        for alert in self.firing + self.resolved:
            if alert.annotations.get(name):
                return alert.annotations[name]
        return None

    def group_text(self) -> str:
        """The group labels as ``{alertname="X", service="y"}``."""
        return "{" + ", ".join(f'{key}="{value}"' for key, value in sorted(self.group_labels.items())) + "}"


def read_stream(stream: BinaryIO, source: str, limit: int = MAX_PAYLOAD_BYTES) -> bytes:
    """At most ``limit`` bytes of ``stream``; UsageError (nothing read further) when it holds more."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UsageError(
            f"{source}: the payload is over the {_size(limit)} limit",
            hint="Alertmanager payloads are far smaller; lower max_alerts in the webhook_config if a group is that big",
        )
    return data


def parse_notification(data: bytes | str, source: str) -> Notification:
    """The notification in ``data`` (JSON text); UsageError listing every problem, located."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_PAYLOAD_BYTES:
        raise UsageError(f"{source}: the payload is over the {_size(MAX_PAYLOAD_BYTES)} limit")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{source}: the payload is not UTF-8 (byte {exc.start})", hint=_HINT) from None
    if not text.strip():
        raise UsageError(f"{source}: the payload is empty", hint=_HINT)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"invalid JSON: {exc.msg} (column {exc.colno})", path=source, line=exc.lineno, hint=_HINT) from None
    except RecursionError:
        raise UsageError(f"{source}: the JSON is nested too deeply to be an Alertmanager payload", hint=_HINT) from None
    reader = _Reader(source, text)
    at: tuple[Any, ...] = ()
    if isinstance(document, dict) and "specversion" in document and isinstance(document.get("data"), dict):
        document, at = document["data"], ("data",)  # a flowops CloudEvent carrying the payload
    notification = reader.notification(document, at)
    if reader.problems or notification is None:
        reader.fail()
    return notification


class _Reader:
    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.text = text
        self.problems: list[tuple[str, tuple[Any, ...]]] = []

    def problem(self, message: str, at: tuple[Any, ...]) -> None:
        self.problems.append((message, at))

    def fail(self) -> NoReturn:
        lines: dict[tuple[Any, ...], int] = {}
        if "\n" in self.text.strip():
            from flowops.incidents.jsonlines import value_lines

            lines = value_lines(self.text)
        problems = []
        for message, at in self.problems[:MAX_PROBLEMS]:
            probe = at
            while probe and probe not in lines:
                probe = probe[:-1]
            problems.append(Problem(message, self.source, lines.get(probe) if lines else None, Locations.dotted(at) or None))
        more = len(self.problems) - MAX_PROBLEMS
        count = len(self.problems)
        summary = f"not a valid Alertmanager payload: {count} problem{'s' if count != 1 else ''}"
        if more > 0:
            summary += f" (the first {MAX_PROBLEMS} shown)"
        raise UsageError(summary, path=self.source, problems=problems, hint=_HINT)

    def notification(self, document: Any, at: tuple[Any, ...]) -> Notification | None:
        if not isinstance(document, dict):
            self.problem(f"the payload must be a JSON object, not {_kind(document)}", at)
            return None
        version = document.get("version")
        if version is not None and str(version) != "4":
            self.problem(f"unsupported payload version {version!r}: flowops reads version \"4\"", (*at, "version"))
        status = self.choice(document, "status", at)
        group_key = self.text_field(document, "groupKey", at, required=True)
        receiver = self.text_field(document, "receiver", at) or ""
        external_url = self.text_field(document, "externalURL", at)
        group_labels = self.string_map(document, "groupLabels", at)
        common_labels = self.string_map(document, "commonLabels", at)
        common_annotations = self.string_map(document, "commonAnnotations", at)
        truncated = document.get("truncatedAlerts", 0)
        if not isinstance(truncated, int) or isinstance(truncated, bool) or truncated < 0:
            self.problem(f"must be a whole number of alerts left out, not {_kind(truncated)}", (*at, "truncatedAlerts"))
            truncated = 0
        alerts_value = document.get("alerts")
        alerts: list[AlertmanagerAlert] = []
        if alerts_value is None:
            self.problem("is missing: a notification carries its alerts", (*at, "alerts"))
        elif not isinstance(alerts_value, list):
            self.problem(f"must be a list of alerts, not {_kind(alerts_value)}", (*at, "alerts"))
        elif not alerts_value:
            self.problem("is empty: a notification carries at least one alert", (*at, "alerts"))
        else:
            for index, item in enumerate(alerts_value):
                alert = self.alert(item, (*at, "alerts", index))
                if alert is not None:
                    alerts.append(alert)
        if self.problems or status is None or group_key is None:
            return None
        return Notification(status, group_key, tuple(alerts), receiver, group_labels, common_labels, common_annotations,
                            external_url, truncated)

    def alert(self, item: Any, at: tuple[Any, ...]) -> AlertmanagerAlert | None:
        before = len(self.problems)
        if not isinstance(item, dict):
            self.problem(f"an alert must be a JSON object, not {_kind(item)}", at)
            return None
        status = self.choice(item, "status", at)
        labels = self.string_map(item, "labels", at)
        if "labels" in item and isinstance(item["labels"], dict) and not str(labels.get("alertname", "")).strip():
            self.problem("has no 'alertname': every Prometheus alert is named by this label", (*at, "labels"))
        elif "labels" not in item:
            self.problem("is missing: an alert needs its labels (alertname at least)", (*at, "labels"))
        annotations = self.string_map(item, "annotations", at)
        starts_at = self.time(item, "startsAt", at, required=True)
        ends_at = self.time(item, "endsAt", at, required=False)
        generator_url = self.text_field(item, "generatorURL", at)
        fingerprint = self.text_field(item, "fingerprint", at) or ""
        if len(self.problems) > before or status is None or starts_at is None:
            return None
        if not _FINGERPRINT_RE.fullmatch(fingerprint):
            # Without one (or with one in another format), the labels identify the alert, as in Alertmanager.
            basis = fingerprint or json.dumps(sorted(labels.items()))
            fingerprint = hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]
        if ends_at is not None and ends_at.year == _ZERO_TIME_YEAR:
            ends_at = None
        labels = {key: value.strip() for key, value in labels.items()}
        return AlertmanagerAlert(status, labels, annotations, starts_at, ends_at, fingerprint, generator_url)

    def choice(self, mapping: dict, key: str, at: tuple[Any, ...]) -> str | None:
        value = mapping.get(key)
        if value is None:
            self.problem(f"is missing: it must be one of {', '.join(STATUSES)}", (*at, key))
            return None
        if value not in STATUSES:
            self.problem(f"must be one of {', '.join(STATUSES)}, not {value!r}", (*at, key))
            return None
        return value

    def text_field(self, mapping: dict, key: str, at: tuple[Any, ...], *, required: bool = False) -> str | None:
        value = mapping.get(key)
        if value is None or value == "":
            if required:
                self.problem("is missing or empty", (*at, key))
            return None
        if not isinstance(value, str):
            self.problem(f"must be a string, not {_kind(value)}", (*at, key))
            return None
        return value

    def string_map(self, mapping: dict, key: str, at: tuple[Any, ...]) -> dict[str, str]:
        value = mapping.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(f"must be an object of string values, not {_kind(value)}", (*at, key))
            return {}
        result: dict[str, str] = {}
        for name, item in value.items():
            if not isinstance(item, str):
                self.problem(f"must be a string, not {_kind(item)}", (*at, key, name))
                continue
            result[name] = item
        return result

    def time(self, mapping: dict, key: str, at: tuple[Any, ...], *, required: bool) -> datetime | None:
        value = mapping.get(key)
        if value is None or value == "":
            if required:
                self.problem("is missing: an RFC 3339 time such as 2026-11-29T08:47:00Z", (*at, key))
            return None
        if not isinstance(value, str):
            self.problem(f"must be an RFC 3339 time string, not {_kind(value)}", (*at, key))
            return None
        try:
            return parse_time(value)
        except ValueError:
            self.problem(f"{value!r} is not an RFC 3339 time such as 2026-11-29T08:47:00Z", (*at, key))
            return None


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _size(limit: int) -> str:
    return f"{limit // 1048576} MiB" if limit % 1048576 == 0 else f"{limit} bytes"

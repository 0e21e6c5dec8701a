"""Fixtures for the incident tests: a project whose runbooks were made by the real `flowops operate`."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from flowops.backlog.store import Backlog
from flowops.incidents.alertmanager import parse_notification
from flowops.incidents.model import IncidentSettings
from flowops.incidents.notifications import apply_notification
from flowops.incidents.timeline import parse_time
from flowops.project import Project

DATA = Path(__file__).resolve().parents[1] / "data"
PAYLOADS = DATA / "alertmanager"

# The checkout story: when each notification of tests/data/alertmanager reached flowops.
RECEIVED = {
    "01_errors_firing.json": "2026-11-02T08:47:45Z",
    "02_errors_repeat.json": "2026-11-02T09:00:00Z",
    "03_latency_firing.json": "2026-11-02T09:06:10Z",
    "04_errors_one_resolved.json": "2026-11-02T09:21:00Z",
    "05_errors_resolved.json": "2026-11-02T09:32:15Z",
    "06_latency_resolved.json": "2026-11-02T09:40:40Z",
}


def at(text: str) -> datetime:
    return parse_time(text)


def payload(name: str) -> dict:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


@pytest.fixture
def ops_project(repo, flowops):
    """TASK-1 "Checkout service" operated with the sample rules: runbook tasks TASK-1.5..1.7 and documents doc-1..doc-3."""
    return make_ops_project(repo, flowops)


def make_ops_project(repo, flowops):
    """What the ``ops_project`` fixture makes, for test packages that cannot share the fixture."""
    assert flowops("init").exit_code == 0
    assert flowops("task create 'Checkout service' -l workflow:Validated").exit_code == 0
    (repo / "monitoring").mkdir()
    shutil.copy(DATA / "alerts" / "prometheus_rules.yml", repo / "monitoring" / "alerts.yml")
    result = flowops("operate 1 --alerts monitoring/alerts.yml --json")
    assert result.exit_code == 0, result
    return repo


@pytest.fixture
def backlog(ops_project) -> Backlog:
    return Backlog(Project(ops_project))


@pytest.fixture
def feed(ops_project):
    """``feed(name_or_dict, now=None)``: apply one notification as it would arrive, return the Outcome."""

    def apply(source, now: str | None = None, settings: IncidentSettings | None = None):
        if isinstance(source, str):
            data = (PAYLOADS / source).read_bytes()
            now = now or RECEIVED[source]
            shown = source
        else:
            data = json.dumps(source).encode()
            shown = "payload"
        project = Project(ops_project)
        notification = parse_notification(data, shown)
        return apply_notification(project, Backlog(project), notification, settings or IncidentSettings(),
                                  now=at(now or "2026-11-02T12:00:00Z"))

    return apply


def write_postmortem(path: Path, *, actions: list[str] | None = None) -> None:
    """Replace every skeleton section of the postmortem at ``path`` with written text (frontmatter kept)."""
    text = path.read_text(encoding="utf-8")
    head, _sep, _body = text.partition("\n## Overview and impact")
    items = actions if actions is not None else [
        "Add a canary stage that rolls back when the 5xx ratio passes 0.5% @sara due 2026-11-20",
        "Alert on connection pool saturation before errors start @li",
    ]
    body = """
## Overview and impact

A configuration push set the payment client's pool to 2 connections. For 44 minutes 3.1% of
checkout requests failed with 502; about 1,900 orders were retried by customers.

## Timeline

- 08:47 HighErrorRate fired for two pods; 08:52 Sara acknowledged and opened the runbook.
- 09:15 the pool size was found in the diff of release 2026.11.2; 09:18 rolled back.

## Root cause and contributing factors

The pool size default changed in the client library upgrade and our config did not pin it.
The canary only checked latency, not error ratio.

## What went well

The runbook's first query pointed at the payment dependency within 5 minutes.

## Lessons learned

Library upgrades change defaults; we were lucky the traffic was low on a Monday morning.

## Action items

""" + "".join(f"- [ ] {item}\n" for item in items)
    path.write_text(head + body, encoding="utf-8")

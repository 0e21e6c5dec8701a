"""Repositories the operate tests start from, one step after another.

``validated_feature``: `flowops init` has run and TASK-1 "Checkout service" is in
Validated. ``project``: that, plus the sample alert rules in monitoring/alerts.yml (a
module that starts elsewhere defines its own ``project``). ``operated``: that, after
`flowops operate 1`. ``ready_service``: a service repository whose every bound check
passes, operated, with a handler that records deploy.completed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
ALERTS = DATA / "alerts"
# A service repository where every check the sre playbook binds passes (its alerts are those
# of alerts/prometheus_rules.yml, with the annotations prom.alerts asks for).
READY = DATA / "evidence" / "ready"

RECORDER = """\
version: 1
hooks:
  - name: deploy-recorder
    events: ["deploy.completed"]
    command: ["sh", "-c", "cat > deploy-event.json"]
"""


@pytest.fixture
def validated_feature(repo: Path, flowops) -> Path:
    """An initialised repository whose TASK-1, "Checkout service", is in Validated: ready for `flowops operate 1`."""
    assert flowops("init").exit_code == 0
    assert flowops("task create 'Checkout service' -l workflow:Validated").exit_code == 0
    return repo


@pytest.fixture
def project(validated_feature: Path) -> Path:
    """``validated_feature`` with the sample rules (tests/data/alerts/prometheus_rules.yml) in monitoring/alerts.yml."""
    (validated_feature / "monitoring").mkdir()
    shutil.copy(ALERTS / "prometheus_rules.yml", validated_feature / "monitoring" / "alerts.yml")
    return validated_feature


@pytest.fixture
def operated(project: Path, flowops) -> Path:
    """``project`` after `flowops operate 1 --alerts monitoring/alerts.yml`: sre tasks, runbook tasks and documents."""
    assert flowops("operate 1 --alerts monitoring/alerts.yml").exit_code == 0
    return project


@pytest.fixture
def ready_service(validated_feature: Path, flowops) -> Path:
    """TASK-1 in Validated, its sre tasks and three runbooks created, a handler recording deploy.completed."""
    repo = validated_feature
    shutil.copytree(READY, repo, dirs_exist_ok=True)
    (repo / ".flowops" / "hooks.yaml").write_text(RECORDER)
    config = repo / ".flowops" / "config.toml"
    config.write_text(config.read_text().replace("alerts = []", 'alerts = ["monitoring/alerts.yml"]'))
    result = flowops("operate 1 --plain")
    assert result.exit_code == 0, result
    return repo

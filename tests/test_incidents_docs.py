"""docs/incidents.md shows what the code does: its hooks.yaml works, its tables match the code."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from flowops.events.catalog import CATALOG
from flowops.incidents.postmortem import SECTIONS
from flowops.incidents.timeline import KINDS

PAGE = Path(__file__).resolve().parent.parent / "docs" / "incidents.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", PAGE.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)


def test_the_hooks_yaml_example_is_valid(flowops, repo):
    (hooks,) = [block for block in blocks("yaml") if block.startswith("# .flowops/hooks.yaml")]
    (repo / "hooks.yaml").write_text(hooks, encoding="utf-8")
    result = flowops("hooks validate --file hooks.yaml")
    assert result.exit_code == 0, result


def test_the_alertmanager_example_sends_the_token_to_the_receiver_path():
    (config,) = [block for block in blocks("yaml") if block.startswith("route:")]
    data = yaml.safe_load(config)
    webhook = data["receivers"][0]["webhook_configs"][0]
    assert webhook["url"].endswith(":9095/alertmanager") and webhook["send_resolved"] is True
    assert webhook["http_config"]["authorization"]["type"] == "Bearer"
    assert data["route"]["receiver"] == data["receivers"][0]["name"]


def test_every_incident_event_and_timeline_kind_and_section_is_documented():
    text = PAGE.read_text(encoding="utf-8")
    events = [name for name in CATALOG if name.startswith("incident.")]
    assert re.findall(r"^\| `(incident\.[a-z_]+)` \|", text, re.MULTILINE) == events
    for kind in KINDS:
        assert f"`{kind}`" in text
    for section in SECTIONS:
        assert f"**{section.title}**" in text

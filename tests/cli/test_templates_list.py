from __future__ import annotations

import json


def test_list_shows_every_stack_with_its_placeholders(flowops):
    result = flowops("templates list --plain")
    assert result.exit_code == 0, result
    names = [line.split()[0] for line in result.stdout.splitlines() if not line.startswith(" ")]
    assert names == ["dotnet", "go", "nodejs", "python"]
    assert "  PYTHON_VERSION=3.12  # Python version used by every job" in result.stdout.splitlines()


def test_list_json_has_defaults_and_help(flowops):
    result = flowops("templates list --json")
    templates = {t["name"]: t for t in json.loads(result.stdout)["templates"]}
    assert templates["go"]["file"] == "templates/github-actions/go-ci-cd.yml"
    go_version = next(p for p in templates["go"]["placeholders"] if p["name"] == "GO_VERSION")
    assert go_version == {"name": "GO_VERSION", "default": "1.23", "help": "Go version used by every job"}

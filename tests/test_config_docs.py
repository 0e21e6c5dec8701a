"""docs/configuration.md must keep up with the settings schema in flowops.config."""

from __future__ import annotations

import json
import re
from pathlib import Path

from flowops.config import SETTINGS, load_config

PAGE = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def _key_table() -> dict[str, list[str]]:
    """The "Every key" table: key -> its cells (type, default, read by)."""
    text = PAGE.read_text(encoding="utf-8")
    section = text.split("## Every key", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\| \[`([^`]+)`\]\(#[^)]*\) \|(.*)\|$", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split(" | ")]
    return rows


def test_every_setting_is_documented_with_its_default():
    rows = _key_table()
    assert sorted(rows) == sorted(SETTINGS), "docs/configuration.md's key table differs from flowops.config.SETTINGS"
    for key, setting in SETTINGS.items():
        default = setting.default
        if default is not None:
            assert f"`{json.dumps(default)}`" in rows[key][1], f"the documented default of {key} is not {default!r}"


def test_the_complete_example_sets_every_key_and_is_valid(tmp_path):
    text = PAGE.read_text(encoding="utf-8")
    example = re.search(r"A complete file with every key set:\n\n```toml\n(.*?)```", text, re.DOTALL).group(1)
    (tmp_path / ".flowops").mkdir()
    (tmp_path / ".flowops" / "config.toml").write_text(example, encoding="utf-8")
    config = load_config(tmp_path)
    assert sorted(config.values) == sorted(SETTINGS)

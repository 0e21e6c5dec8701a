"""Reading back what ``flowops commands install`` wrote, the way each agent would."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml


def split_markdown(text: str) -> tuple[dict | None, str]:
    """(frontmatter parsed with yaml.safe_load or None, body) of a markdown command file."""
    if not text.startswith("---\n"):
        return None, text
    end = text.index("\n---\n", 4)
    return yaml.safe_load(text[4:end]), text[end + 5 :]


def read_command(path: Path) -> tuple[dict | None, str]:
    """(metadata, prompt text) of any agent's command file: TOML for .toml, markdown otherwise."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        data = tomllib.loads(text)
        return {key: value for key, value in data.items() if key != "prompt"}, data["prompt"]
    return split_markdown(text)

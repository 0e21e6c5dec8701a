from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def commands_dir(tmp_path: Path):
    """A private commands folder: ``commands_dir({"flow/x.md": "..."})`` writes the files and returns the folder."""
    root = tmp_path / "commands"
    root.mkdir()

    def make(files: dict[str, str]) -> Path:
        for rel, text in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return root

    return make

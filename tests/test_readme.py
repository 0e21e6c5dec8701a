"""The README's tour runs as written: `flowops` is on PATH after the set-up it describes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def sections() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    return {m.group(1): m.group(2) for m in re.finditer(r"^## (.+?)\n(.*?)(?=^## |\Z)", text, re.M | re.S)}


def test_the_set_up_says_how_to_put_flowops_on_path_before_the_tour_uses_it_bare():
    found = sections()
    tour = found["A five-minute tour"]
    assert re.search(r"^flowops ", tour, re.M), "the tour runs bare flowops commands"
    set_up = found["Set-up"]
    assert "pipx install ." in set_up
    assert ". .venv/bin/activate" in set_up


def test_the_activated_virtualenv_really_provides_the_flowops_command():
    # What `. .venv/bin/activate` gives: the venv's bin folder first on PATH.
    bin_dir = Path(sys.executable).parent
    done = subprocess.run(["sh", "-c", f'. "{bin_dir}/activate" 2>/dev/null || PATH="{bin_dir}:$PATH"; flowops --version'],
                          capture_output=True, text=True, check=True)
    assert done.stdout.startswith("flowops ")


def test_ci_ends_with_the_readmes_test_command_word_for_word():
    readme = README.read_text(encoding="utf-8")
    command = re.search(r"Install the test extras and run the tests:\n\n```bash\n(.+?)\n```", readme).group(1)
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8").rstrip("\n").splitlines()
    assert ci[-1] == command
    # Lint and types run before it, and a finding ends the run (set -e).
    assert "set -euo pipefail" in ci
    assert ci.index(".venv/bin/ruff check") < len(ci) - 1 and ci.index(".venv/bin/mypy") < len(ci) - 1

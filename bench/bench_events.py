#!/usr/bin/env python3
"""How long `flowops hooks emit` takes, with no matching handler and with one command handler.

Builds a throw-away repository, then runs each case as a fresh process, round-robin (so
drift in machine load hits every case alike), and prints the medians as a markdown
snippet. Budgets: no matching handler <= 0.08 s; one command handler running `true`
adds <= 0.05 s more than running `true` alone.

    python bench/bench_events.py [--runs 30] [--python /path/to/venv/bin/python]

``--python`` is the interpreter that has flowops installed (default: this one).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NO_MATCH_BUDGET_S = 0.08
HANDLER_BUDGET_S = 0.05

HOOKS_YAML = """\
version: 1
hooks:
  - name: run-true
    events: ["deploy.*"]
    command: ["true"]
"""


def audit_log(repo: Path) -> Path:
    """The repository's audit log: in the git folder (flowops.statedir), or where versions before kept it."""
    current = repo / ".git" / "flowops" / "log" / "events.jsonl"
    return current if current.exists() else repo / ".flowops" / "log" / "events.jsonl"


def timed(argv: list[str], cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed runs per case (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs per case first (default 3)")
    parser.add_argument("--python", default=sys.executable, help="interpreter with flowops installed")
    options = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="flowops-bench-events-") as tmp:
        base = Path(tmp)
        env = {**os.environ}
        # Compiled bytecode is cached, as in an installed package (the warm-up fills the
        # cache), but outside the source tree.
        env["PYTHONPYCACHEPREFIX"] = str(base / "pycache")
        for name in ("FLOWOPS_ROOT", "FLOWOPS_NO_HOOKS", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        repo = base / "repo"
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        (repo / ".flowops").mkdir()
        (repo / ".flowops" / "hooks.yaml").write_text(HOOKS_YAML)
        flowops = [options.python, "-m", "flowops"]
        cases = {
            "`true` alone": ["true"],
            "`flowops --version` (start-up floor)": [*flowops, "--version"],
            "`hooks emit`, no matching handler": [*flowops, "hooks", "emit", "task.created", "--task-id", "TASK-1"],
            "`hooks emit`, one command handler running `true`": [*flowops, "hooks", "emit", "deploy.completed", "--task-id", "TASK-1"],
        }
        times: dict[str, list[float]] = {label: [] for label in cases}
        for number in range(options.warmup + options.runs):
            for label, command in cases.items():
                elapsed = timed(command, repo, env)
                if number >= options.warmup:
                    times[label].append(elapsed)

        log = audit_log(repo)
        deliveries = sum('"kind":"delivery"' in line and '"ok":true' in line for line in log.read_text().splitlines())
        expected = options.warmup + options.runs
        if deliveries != expected:
            raise SystemExit(f"the handler ran {deliveries} times for {expected} emits: not measuring what it should")

    median = {label: statistics.median(values) for label, values in times.items()}
    labels = list(cases)
    no_match = median[labels[2]]
    added = median[labels[3]] - no_match - median[labels[0]]
    no_match_ok = no_match <= NO_MATCH_BUDGET_S
    added_ok = added <= HANDLER_BUDGET_S
    print("## Events: `flowops hooks emit`\n")
    print(f"{options.runs} runs per case after {options.warmup} warm-up runs, each a fresh process, cases run round-robin in one")
    print("repository whose hooks.yaml has one command handler for `deploy.*`. Every emit appends to the audit log")
    print(f"(lock, append, fsync). {platform.python_implementation()} {platform.python_version()}, {platform.system()}, "
          f"{os.cpu_count()} CPUs.\n")
    print("| case | median | min | max |")
    print("|---|---|---|---|")
    for label, values in times.items():
        print(f"| {label} | {median[label] * 1000:.0f} ms | {min(values) * 1000:.0f} ms | {max(values) * 1000:.0f} ms |")
    print(
        f"\nNo matching handler (median): **{no_match * 1000:.0f} ms**, "
        f"{'within' if no_match_ok else 'OVER'} the {NO_MATCH_BUDGET_S * 1000:.0f} ms budget."
    )
    print(
        f"A command handler running `true` adds **{added * 1000:.0f} ms** beyond `true` itself "
        f"(emit with it, minus emit without a match, minus `true` alone), "
        f"{'within' if added_ok else 'OVER'} the {HANDLER_BUDGET_S * 1000:.0f} ms budget."
    )
    return 0 if no_match_ok and added_ok else 1


if __name__ == "__main__":
    sys.exit(main())

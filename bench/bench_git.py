#!/usr/bin/env python3
"""How much time flowops' post-commit hook adds to ``git commit``.

Builds two throw-away repositories, installs flowops' post-commit hook in one of them,
then alternates commits between the two (so drift in machine load hits both alike) and
prints the medians as a markdown snippet. The budget is 0.15 s added per commit.

    python bench/bench_git.py [--commits 30] [--python /path/to/venv/bin/python]
    python bench/bench_git.py --python before=/tmp/base/.venv/bin/python --python after=.venv/bin/python

``--python`` is the interpreter that has flowops installed (default: this one); it is
the one the hook script will run, as after ``flowops git install``. Given more than once
(``NAME=PATH``), each version gets its own hooked repository and every round commits once
in each repository in turn, so load from other work hits every version alike.
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

BUDGET_S = 0.15


def audit_log(repo: Path) -> Path:
    """The repository's audit log: in the git folder (flowops.statedir), or where versions before kept it."""
    current = repo / ".git" / "flowops" / "log" / "events.jsonl"
    return current if current.exists() else repo / ".flowops" / "log" / "events.jsonl"


def git(cwd: Path, *args: str, env: dict) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def timed_commit(repo: Path, number: int, env: dict) -> float:
    (repo / "file.txt").write_text(f"change {number}\n")
    git(repo, "add", "file.txt", env=env)
    start = time.perf_counter()
    proc = subprocess.run(["git", "commit", "-q", "-m", f"TASK-{number}: change {number}"], cwd=repo, env=env,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0 or proc.stderr.strip():
        raise SystemExit(f"commit {number} in {repo.name} failed or complained:\n{proc.stderr}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=30, help="timed commits per repository (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed commits first (default 3)")
    parser.add_argument("--python", action="append", metavar="[NAME=]PATH",
                        help="interpreter with flowops installed (repeat as NAME=PATH to compare versions)")
    options = parser.parse_args(argv)
    pythons = dict(_named(value) for value in options.python or [sys.executable])

    with tempfile.TemporaryDirectory(prefix="flowops-bench-git-") as tmp:
        base = Path(tmp)
        config = base / "gitconfig"
        config.write_text("[user]\n\tname = Bench\n\temail = bench@example.com\n[commit]\n\tgpgsign = false\n")
        env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(config)}
        # Compiled bytecode is cached, as in an installed package (the warm-up fills the
        # cache), but outside the source tree.
        env["PYTHONPYCACHEPREFIX"] = str(base / "pycache")
        for name in ("FLOWOPS_ROOT", "FLOWOPS_NO_HOOKS", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        plain = base / "plain"
        hooked = {name: base / f"hooked-{index}" for index, name in enumerate(pythons)}
        for repo in (plain, *hooked.values()):
            git(base, "init", "-q", "-b", "main", str(repo), env=env)
        for name, repo in hooked.items():
            subprocess.run(
                [pythons[name], "-m", "flowops", "git", "install", "--types", "post-commit", "--plain"],
                cwd=repo,
                env=env,
                check=True,
                capture_output=True,
            )

        times: dict[Path, list[float]] = {repo: [] for repo in (plain, *hooked.values())}
        for number in range(options.warmup + options.commits):
            for repo in times:
                elapsed = timed_commit(repo, number, env)
                if number >= options.warmup:
                    times[repo].append(elapsed)

        expected = options.warmup + options.commits
        for repo in hooked.values():
            log = audit_log(repo)
            events = sum('"kind":"event"' in line for line in log.read_text().splitlines()) if log.exists() else 0
            if events != expected:
                raise SystemExit(f"the hook recorded {events} events for {expected} commits: not measuring what it should")

    without = statistics.median(times[plain])
    print("## git hooks: time added to `git commit`\n")
    print(f"{options.commits} commits per repository after {options.warmup} warm-up commits, alternating between a repository")
    print("without hooks and one with flowops' post-commit hook per version (no hooks.yaml: the git.commit event is")
    print(f"recorded in the audit log). {platform.python_implementation()} {platform.python_version()}, {platform.system()}, "
          f"{os.cpu_count()} CPUs.\n")
    print("| case | median | min | max | added by the hook |")
    print("|---|---|---|---|---|")
    rows = [("git commit, no hook", times[plain])]
    rows += [(f"git commit, flowops post-commit hook{f' ({name})' if len(hooked) > 1 else ''}", times[repo])
             for name, repo in hooked.items()]
    for label, values in rows:
        added = statistics.median(values) - without
        print(f"| {label} | {statistics.median(values) * 1000:.0f} ms | {min(values) * 1000:.0f} ms | {max(values) * 1000:.0f} ms "
              f"| {added * 1000:.0f} ms |")
    worst = max(statistics.median(times[repo]) for repo in hooked.values()) - without
    verdict = "within" if worst <= BUDGET_S else "OVER"
    print(f"\nAdded by the hook (median, slowest version): **{worst * 1000:.0f} ms**, {verdict} the {BUDGET_S * 1000:.0f} ms budget.")
    return 0 if worst <= BUDGET_S else 1


def _named(value: str) -> tuple[str, str]:
    """``NAME=PATH`` or a bare ``PATH`` (named after itself)."""
    name, sep, path = value.partition("=")
    return (name, path) if sep and "/" not in name else (value, value)


if __name__ == "__main__":
    sys.exit(main())

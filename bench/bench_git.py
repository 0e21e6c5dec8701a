#!/usr/bin/env python3
"""How much time flowops' post-commit hook adds to ``git commit``.

Builds two throw-away repositories, installs flowops' post-commit hook in one of them,
then alternates commits between the two (so drift in machine load hits both alike) and
prints the medians as a markdown snippet. The budget is 0.15 s added per commit.

    python bench/bench_git.py [--commits 30] [--python /path/to/venv/bin/python]

``--python`` is the interpreter that has flowops installed (default: this one); it is
the one the hook script will run, as after ``flowops git install``.
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
    parser.add_argument("--python", default=sys.executable, help="interpreter with flowops installed")
    options = parser.parse_args(argv)

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
        plain, hooked = base / "plain", base / "hooked"
        for repo in (plain, hooked):
            git(base, "init", "-q", "-b", "main", str(repo), env=env)
        subprocess.run(
            [options.python, "-m", "flowops", "git", "install", "--types", "post-commit", "--plain"],
            cwd=hooked,
            env=env,
            check=True,
            capture_output=True,
        )

        times: dict[Path, list[float]] = {plain: [], hooked: []}
        for number in range(options.warmup + options.commits):
            for repo in (plain, hooked):
                elapsed = timed_commit(repo, number, env)
                if number >= options.warmup:
                    times[repo].append(elapsed)

        log = audit_log(hooked)
        events = sum('"kind":"event"' in line for line in log.read_text().splitlines()) if log.exists() else 0
        expected = options.warmup + options.commits
        if events != expected:
            raise SystemExit(f"the hook recorded {events} events for {expected} commits: not measuring what it should")

    without = statistics.median(times[plain])
    with_hook = statistics.median(times[hooked])
    added = with_hook - without
    verdict = "within" if added <= BUDGET_S else "OVER"
    print("## git hooks: time added to `git commit`\n")
    print(f"{options.commits} commits per repository after {options.warmup} warm-up commits, alternating between a repository")
    print("without hooks and one with flowops' post-commit hook (no hooks.yaml: the git.commit event is")
    print(f"recorded in the audit log). {platform.python_implementation()} {platform.python_version()}, {platform.system()}, "
          f"{os.cpu_count()} CPUs.\n")
    print("| case | median | min | max |")
    print("|---|---|---|---|")
    for label, values in (("git commit, no hook", times[plain]), ("git commit, flowops post-commit hook", times[hooked])):
        print(f"| {label} | {statistics.median(values) * 1000:.0f} ms | {min(values) * 1000:.0f} ms | {max(values) * 1000:.0f} ms |")
    print(f"\nAdded by the hook (median): **{added * 1000:.0f} ms**, {verdict} the {BUDGET_S * 1000:.0f} ms budget.")
    return 0 if added <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())

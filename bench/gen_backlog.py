"""Generate a Backlog.md 1.52 backlog of N tasks in the exact on-disk format.

    python bench/gen_backlog.py DIR --tasks 10000 [--seed 1]

Files are written with flowops' own Backlog.md writer (byte-identical to what the
Backlog.md CLI writes, see tests/backlog/test_fidelity.py), with realistic variety:
statuses, priorities, labels, assignees, descriptions, 0-6 criteria, some subtasks.
"""

from __future__ import annotations

import argparse
import random
import subprocess
from pathlib import Path

from flowops.backlog.config import default_config_text
from flowops.backlog.model import Task
from flowops.backlog.naming import task_filename
from flowops.backlog.sections import Criterion
from flowops.backlog.store import init_layout
from flowops.backlog.taskfile import render_new_task

WORDS = (
    "checkout", "payment", "latency", "budget", "error", "pipeline", "cluster", "alert", "runbook",
    "deploy", "canary", "rollback", "digest", "sbom", "provenance", "ingress", "probe",
    "autoscaler", "quota", "tracing", "dashboard", "drift", "model", "cache", "queue",
)
STATUSES = ("To Do", "To Do", "In Progress", "Done")


def generate(root: Path, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    if not (root / ".git").exists():
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    backlog = root / "backlog"
    init_layout(backlog, "bench")
    # Keep the real Backlog.md CLI from scanning git branches when it is timed on this data.
    config = default_config_text("bench").replace("remote_operations: true", "remote_operations: false")
    (backlog / "config.yml").write_text(config.replace("check_active_branches: true", "check_active_branches: false"))
    tasks_dir = backlog / "tasks"
    top, children = 0, 0
    for n in range(1, count + 1):
        # About one task in ten is a subtask of the latest top-level task.
        if top and children < 3 and rng.random() < 0.1:
            children += 1
            task_id, parent_id = f"TASK-{top}.{children}", f"TASK-{top}"
        else:
            top += 1
            children = 0
            task_id, parent_id = f"TASK-{top}", None
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8))).capitalize()
        task = Task(
            id=task_id,
            title=title,
            status=rng.choice(STATUSES),
            assignees=rng.sample(["@sara", "@bob", "@sre-agent", "@ana"], rng.randint(0, 2)),
            created_date=f"2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
            labels=rng.sample(WORDS, rng.randint(0, 3)),
            priority=rng.choice([None, "high", "medium", "low"]),
            parent_task_id=parent_id,
            ordinal=n * 1000,
        )
        task.description = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 60)))
        task.acceptance_criteria = [
            Criterion(i, f"{rng.choice(WORDS)} p95 below {rng.randint(50, 500)} ms", rng.random() < 0.4)
            for i in range(1, rng.randint(0, 6) + 1)
        ]
        if rng.random() < 0.3:
            task.implementation_notes = " ".join(rng.choice(WORDS) for _ in range(20))
        (tasks_dir / task_filename(task.id, task.title)).write_bytes(render_new_task(task))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.dir, args.tasks, args.seed)

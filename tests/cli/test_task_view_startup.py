"""A single-task lookup loads only what it uses: no lock library, no writer's types, no json for plain output."""

from __future__ import annotations

import os
import subprocess
import sys

WRITERS_ONLY = (
    "filelock", "flowops.locks", "flowops.cli.task_write", "flowops.backlog.ids", "flowops.backlog.changes",
    "flowops.backlog.written", "flowops.cli.emitting", "flowops.events.bus", "json",
)


def imported_after(repo, args: list[str]) -> tuple[str, list[str]]:
    code = (
        "import sys; from flowops.cli import main; rc = main(sys.argv[1:]);"
        f"print(rc, [m for m in {WRITERS_ONLY!r} if m in sys.modules])"
    )
    env = {k: v for k, v in os.environ.items() if k != "FLOWOPS_ROOT"}
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=repo, capture_output=True, text=True, check=True, env=env)
    return done.stdout, done.stderr


def test_task_view_plain_imports_nothing_only_writers_need(repo):
    (repo / "backlog" / "tasks").mkdir(parents=True)
    # Backlog.md writes its statuses as a flow list: read without json.
    (repo / "backlog" / "config.yml").write_text('project_name: "t"\nstatuses: ["To Do", "In Progress", "Done"]\n')
    (repo / "backlog" / "tasks" / "task-1 - One.md").write_text(
        "---\nid: TASK-1\ntitle: One\nstatus: To Do\n---\n\n## Description\n\n<!-- SECTION:DESCRIPTION:BEGIN -->\nHi\n"
        "<!-- SECTION:DESCRIPTION:END -->\n"
    )
    out, err = imported_after(repo, ["task", "view", "1", "--plain"])
    assert "Task TASK-1 - One" in out, err
    assert out.strip().splitlines()[-1] == "0 []", err

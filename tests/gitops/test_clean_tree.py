"""The default set-up never dirties the working tree: no modified or untracked file after any flowops work."""

from __future__ import annotations

import json
import socket

from tests.gitops.gitrepo import git
from tests.support.state import audit_log, outbox_file


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_init_commit_install_commits_and_a_failed_webhook_leave_git_status_empty(flowops, repo):
    assert flowops("init").exit_code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "flowops init")
    assert flowops("git install").exit_code == 0
    (repo / ".flowops" / "hooks.yaml").write_text(
        "version: 1\nhooks:\n"
        "  - name: chat\n"
        '    events: ["git.*", "task.*"]\n'
        f'    webhook: {{url: "http://127.0.0.1:{_closed_port()}/hook", retries: 0, timeout: 2}}\n'
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a webhook nobody answers")

    created = flowops("task create 'First task'")
    assert created.exit_code == 0 and "queued in the outbox" in created.stderr
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "TASK-1 first task")
    for n in range(3):
        (repo / f"file{n}.txt").write_text(str(n))
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"change {n}")
    # An interrupted atomic write leaves a temporary file next to its target.
    (repo / "backlog" / "tasks" / ".task-1 - First-task.md.4242.0123abcd.flowops-tmp").write_text("half")

    assert git(repo, "status", "--porcelain", "--untracked-files=all").stdout == ""
    queued = [json.loads(line) for line in outbox_file(repo).read_text().splitlines()]
    assert {entry["event"]["type"] for entry in queued} >= {"task.created", "git.commit"}
    assert flowops("hooks log --verify").exit_code == 0
    assert audit_log(repo).is_relative_to(repo / ".git")
    # And git can rewrite history: rebase refuses to start with a dirty tree.
    rebased = git(repo, "rebase", "--force-rebase", "HEAD~2", check=False)
    assert rebased.returncode == 0, rebased.stderr
    assert git(repo, "status", "--porcelain", "--untracked-files=all").stdout == ""


def test_init_ignores_what_flowops_writes_per_machine(flowops, repo):
    assert flowops("init").exit_code == 0

    ignored = (repo / ".flowops" / ".gitignore").read_text().split()
    root_ignore = (repo / ".gitignore").read_text()

    for pattern in ("cache/", "locks/", "log/", "outbox.jsonl", "outbox.jsonl.lock", "*.tmp"):
        assert pattern in ignored
    assert "*.flowops-tmp" in root_ignore.split()
    again = flowops("init --json")
    assert json.loads(again.stdout)["changed"] is False


def test_init_adds_its_line_to_an_existing_gitignore_and_keeps_the_rest(flowops, repo):
    (repo / ".gitignore").write_text("node_modules/\n# mine\n*.log")

    assert flowops("init").exit_code == 0

    assert (repo / ".gitignore").read_text().startswith("node_modules/\n# mine\n*.log\n")
    assert (repo / ".gitignore").read_text().count("*.flowops-tmp") == 1

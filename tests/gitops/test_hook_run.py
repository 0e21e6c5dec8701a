"""git runs the installed hooks; flowops records and delivers git.* events and never fails git."""

from __future__ import annotations

import json
from pathlib import Path

from flowops.gitops.install import install_hooks
from tests.gitops.gitrepo import audit_records, commit, git, head
from tests.support.state import audit_log

RECORDER = """\
version: 1
hooks:
  - name: recorder
    events: ["git.*"]
    command: ["sh", "-c", "cat >> received.jsonl; echo >> received.jsonl"]
"""


def _events(root: Path, event_type: str | None = None) -> list[dict]:
    return [r["event"] for r in audit_records(root) if r["kind"] == "event" and event_type in (None, r["event"]["type"])]


def _received(root: Path) -> list[dict]:
    path = root / "received.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def _flowops_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("flowops")]


def _write_hooks_yaml(root: Path, text: str) -> None:
    (root / ".flowops").mkdir(exist_ok=True)
    (root / ".flowops" / "hooks.yaml").write_text(text)


def test_a_commit_emits_git_commit_with_its_facts(repo):
    install_hooks(repo)
    commit(repo, "base", {"a.txt": "a"})

    done = commit(repo, "TASK-12: faster checkout\n\nsee also task-3.1", {"a.txt": "changed", "src/b.py": "b"})

    assert done.stderr == ""
    event = _events(repo, "git.commit")[-1]
    assert event["subject"] == "TASK-12"
    data = event["data"]
    assert data["sha"] == head(repo)
    assert data["branch"] == "main"
    assert (data["author"], data["author_email"]) == ("Test User", "test@example.com")
    assert data["message"] == "TASK-12: faster checkout\n\nsee also task-3.1"
    assert data["files"] == ["a.txt", "src/b.py"]
    assert data["task_ids"] == ["TASK-12", "TASK-3.1"]
    assert data["task_id"] == "TASK-12"


def test_a_command_handler_receives_each_git_event(repo, tmp_path):
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    _write_hooks_yaml(repo, RECORDER)
    install_hooks(repo)

    commit(repo, "base", {"a.txt": "a"})
    git(repo, "checkout", "-q", "-b", "task-7-feature")
    commit(repo, "TASK-7 feature work", {"f.txt": "f"})
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "--no-edit", "task-7-feature")
    git(repo, "push", "-q", "origin", "main")

    received = _received(repo)
    assert [e["type"] for e in received] == [
        "git.commit",
        "git.checkout",
        "git.commit",
        "git.checkout",
        "git.merge",  # git runs post-merge, not post-commit, for the merge commit
        "git.push",
    ]
    checkout = received[1]["data"]
    assert (checkout["branch"], checkout["previous_branch"], checkout["task_ids"]) == ("task-7-feature", "main", ["TASK-7"])
    merge = received[4]["data"]
    assert merge["files"] == ["f.txt"] and merge["task_ids"] == ["TASK-7"] and merge["squash"] is False
    push = received[5]["data"]
    assert push["remote"] == "origin" and push["commits"] == 3
    assert [(r["local_ref"], r["local_sha"], r["action"]) for r in push["refs"]] == [("refs/heads/main", head(repo), "create")]
    # What the handler got is what the audit log holds.
    assert [e["id"] for e in received] == [e["id"] for e in _events(repo)]


def test_a_broken_hooks_yaml_never_fails_the_commit(repo):
    _write_hooks_yaml(repo, "version: 1\nhooks: [\n")
    install_hooks(repo)

    done = commit(repo, "TASK-1 still committed")

    assert git(repo, "log", "--format=%s").stdout.strip() == "TASK-1 still committed"
    [line] = _flowops_lines(done.stderr)
    assert line.startswith("flowops post-commit: git.commit recorded but not delivered: .flowops/hooks.yaml:")
    records = audit_records(repo)
    assert [r["kind"] for r in records] == ["event", "error"]  # recorded once, by the bus
    assert records[0]["event"]["data"]["sha"] == head(repo)


def test_an_error_the_bus_does_not_log_is_logged_by_the_hook(repo):
    (repo / ".flowops").mkdir()
    (repo / ".flowops" / "config.toml").write_text("no_such_setting = 1\n")
    install_hooks(repo)

    done = commit(repo, "committed anyway")

    assert done.returncode == 0
    [line] = _flowops_lines(done.stderr)
    assert line.startswith("flowops post-commit: git.commit recorded but not delivered:")
    assert "no_such_setting" in line and line.endswith("(see .git/flowops/log/events.jsonl)")
    records = audit_records(repo)
    assert [r["kind"] for r in records] == ["event", "error"]
    assert records[1]["type"] == "git.commit" and records[1]["origin"] == "git post-commit hook"


def test_an_unwritable_audit_log_still_lets_the_commit_through(repo):
    (repo / ".flowops").mkdir()
    audit_log(repo).parent.parent.mkdir(parents=True)
    audit_log(repo).parent.write_text("a file where the log folder should be\n")
    install_hooks(repo)

    done = commit(repo, "committed anyway")

    assert git(repo, "log", "--format=%s").stdout.strip() == "committed anyway"
    [line] = _flowops_lines(done.stderr)
    assert line.startswith("flowops post-commit: git.commit not recorded:") and "(and not logged:" in line


def test_a_failing_handler_is_one_line_on_stderr_and_never_fails_git(repo, tmp_path):
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    _write_hooks_yaml(
        repo,
        'version: 1\nhooks:\n  - name: always-fails\n    events: ["git.*"]\n    command: ["false"]\n    fail_mode: stop\n',
    )
    install_hooks(repo)

    done = commit(repo, "first")
    pushed = git(repo, "push", "origin", "main", check=False)

    assert done.returncode == 0 and pushed.returncode == 0
    assert git(remote, "rev-parse", "refs/heads/main").stdout.strip() == head(repo)
    [line] = _flowops_lines(done.stderr)
    assert line.startswith("flowops post-commit: git.commit: handler always-fails: failed")
    deliveries = [r for r in audit_records(repo) if r["kind"] == "delivery"]
    assert [(d["type"], d["handler"], d["ok"]) for d in deliveries] == [
        ("git.commit", "always-fails", False), ("git.push", "always-fails", False)]


def test_no_hooks_records_the_event_but_runs_no_handler(repo):
    _write_hooks_yaml(repo, RECORDER)
    install_hooks(repo)

    commit(repo, "quiet", env={"FLOWOPS_NO_HOOKS": "1"})

    assert [e["type"] for e in _events(repo)] == ["git.commit"]
    assert _received(repo) == []


def test_worktree_commits_are_reported_from_the_worktree(repo, tmp_path):
    commit(repo, "base")
    worktree = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", "-b", "task-5-side", str(worktree))
    install_hooks(worktree)

    commit(worktree, "work on the side")

    [event] = _events(worktree, "git.commit")
    assert event["data"]["branch"] == "task-5-side"
    assert event["data"]["sha"] == head(worktree) != head(repo)
    assert not (repo / ".flowops").exists()


def test_hook_run_reads_push_refs_from_stdin(flowops, repo):
    commit(repo, "TASK-9 to push")
    sha = head(repo)
    refs = f"refs/heads/main {sha} refs/heads/main {'0' * 40}\n"

    result = flowops("git hook-run pre-push origin https://bot:secret@example.com/r.git", input=refs)

    assert result.exit_code == 0 and result.stderr == "" and result.stdout == ""
    [event] = _events(repo, "git.push")
    assert event["data"]["url"] == "https://***@example.com/r.git"
    assert event["data"]["refs"][0]["local_sha"] == sha
    assert event["subject"] == "TASK-9"
    assert "secret" not in audit_log(repo).read_text()

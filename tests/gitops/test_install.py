from __future__ import annotations

import os
import sys

import pytest

from flowops.errors import FlowopsError, UsageError
from flowops.gitops.install import (
    HOOK_TYPES,
    MARKER,
    hooks_status,
    install_hooks,
    is_flowops_script,
    parse_types,
    render_script,
    uninstall_hooks,
)
from tests.gitops.gitrepo import commit, git, read_log, write_probe_hook


def test_install_writes_an_executable_script_with_the_marker_for_each_type(repo):
    report = install_hooks(repo)

    hooks = repo / ".git" / "hooks"
    assert [c.hook_type for c in report.changes] == list(HOOK_TYPES)
    assert {c.action for c in report.changes} == {"installed"}
    for hook_type in HOOK_TYPES:
        script = hooks / hook_type
        assert os.access(script, os.X_OK)
        lines = script.read_text().splitlines()
        assert lines[0] == "#!/bin/sh"
        assert MARKER in lines
        assert f"hook_type={hook_type}" in lines
        # The interpreter that installed it, unresolved (a venv's python is a symlink).
        assert f"flowops_python={os.path.abspath(sys.executable)}" in lines


def test_a_foreign_hook_keeps_running_after_install_and_comes_back_after_uninstall(repo, tmp_path):
    log = tmp_path / "probe.log"
    hook = repo / ".git" / "hooks" / "post-commit"
    original = write_probe_hook(hook, log)

    report = install_hooks(repo, types=("post-commit",))
    assert report.changes[0].legacy == hook.with_name("post-commit.legacy")
    assert hook.with_name("post-commit.legacy").read_text() == original
    assert is_flowops_script(hook)

    commit(repo, "first")
    assert read_log(log) == ["post-commit.legacy"]

    report = uninstall_hooks(repo, types=("post-commit",))
    assert report.changes[0].action == "restored"
    assert hook.read_text() == original
    assert not hook.with_name("post-commit.legacy").exists()
    commit(repo, "second")
    assert read_log(log) == ["post-commit.legacy", "post-commit"]


def test_worktree_install_goes_to_the_common_git_dir(repo, tmp_path):
    commit(repo, "base")
    worktree = tmp_path / "feature-tree"
    git(repo, "worktree", "add", "-q", "-b", "feature", str(worktree))
    log = tmp_path / "probe.log"
    write_probe_hook(repo / ".git" / "hooks" / "post-commit", log)

    report = install_hooks(worktree)

    assert report.hooks_dirs == [repo / ".git" / "hooks"]
    assert is_flowops_script(repo / ".git" / "hooks" / "post-commit")
    assert not (repo / ".git" / "worktrees" / "feature-tree" / "hooks").exists()
    commit(worktree, "in the worktree")
    assert read_log(log) == ["post-commit.legacy"]


def test_core_hooks_path_is_refused_and_nothing_is_written(repo):
    git(repo, "config", "core.hooksPath", "githooks")

    with pytest.raises(UsageError) as caught:
        install_hooks(repo)

    message = str(caught.value)
    assert "core.hooksPath" in message and str(repo / "githooks") in message and "--hooks-path" in message
    assert not (repo / "githooks").exists()
    assert not any(is_flowops_script(repo / ".git" / "hooks" / t) for t in HOOK_TYPES)


def test_hooks_path_option_installs_into_the_configured_folder_and_git_runs_it(repo, tmp_path):
    git(repo, "config", "core.hooksPath", "githooks")
    log = tmp_path / "probe.log"
    write_probe_hook(repo / "githooks" / "post-commit", log)

    report = install_hooks(repo, follow_hooks_path=True)

    assert report.hooks_dirs == [repo / "githooks"]
    assert all(is_flowops_script(repo / "githooks" / t) for t in HOOK_TYPES)
    commit(repo, "first")
    assert read_log(log) == ["post-commit.legacy"]

    uninstall_hooks(repo)
    assert not any((repo / "githooks" / t).exists() for t in HOOK_TYPES if t != "post-commit")
    assert not is_flowops_script(repo / "githooks" / "post-commit")


def test_reinstall_keeps_a_different_flowops_script_unless_forced(repo):
    install_hooks(repo, types=("post-commit",), python="/old/venv/bin/python")
    hook = repo / ".git" / "hooks" / "post-commit"

    kept = install_hooks(repo, types=("post-commit",))
    assert kept.changes[0].action == "kept"
    assert "/old/venv/bin/python" in hook.read_text()

    forced = install_hooks(repo, types=("post-commit",), force=True)
    assert forced.changes[0].action == "updated"
    assert hook.read_text() == render_script("post-commit", os.path.abspath(sys.executable))
    assert install_hooks(repo, types=("post-commit",)).changes[0].action == "unchanged"
    # Re-installing never turns flowops' own script into a .legacy hook.
    assert not hook.with_name("post-commit.legacy").exists()


def test_a_foreign_hook_next_to_an_existing_legacy_hook_is_refused_without_changes(repo, tmp_path):
    hooks = repo / ".git" / "hooks"
    foreign = write_probe_hook(hooks / "post-merge", tmp_path / "a.log")
    legacy = write_probe_hook(hooks / "post-merge.legacy", tmp_path / "b.log")

    with pytest.raises(FlowopsError) as caught:
        install_hooks(repo, force=True)

    assert "post-merge.legacy already exists" in str(caught.value)
    assert (hooks / "post-merge").read_text() == foreign
    assert (hooks / "post-merge.legacy").read_text() == legacy
    assert not (hooks / "post-commit").exists()  # checked first, so nothing half-installed


def test_uninstall_leaves_hooks_that_are_not_flowops_alone(repo, tmp_path):
    hook = repo / ".git" / "hooks" / "pre-push"
    text = write_probe_hook(hook, tmp_path / "probe.log")

    report = uninstall_hooks(repo)

    assert {c.hook_type: c.action for c in report.changes} == {
        "post-commit": "absent",
        "post-merge": "absent",
        "post-checkout": "absent",
        "pre-push": "foreign",
    }
    assert hook.read_text() == text


def test_uninstall_restores_a_legacy_hook_whose_flowops_script_was_deleted_by_hand(repo, tmp_path):
    hook = repo / ".git" / "hooks" / "post-checkout"
    text = write_probe_hook(hook, tmp_path / "probe.log")
    install_hooks(repo, types=("post-checkout",))
    hook.unlink()

    assert uninstall_hooks(repo, types=("post-checkout",)).changes[0].action == "restored"
    assert hook.read_text() == text


def test_status_tells_flowops_foreign_and_absent_hooks_apart(repo, tmp_path):
    write_probe_hook(repo / ".git" / "hooks" / "post-merge", tmp_path / "probe.log")
    install_hooks(repo, types=("post-commit",))

    states = {c.hook_type: c.action for c in hooks_status(repo).changes}

    assert states == {"post-commit": "flowops", "post-merge": "foreign", "post-checkout": "absent", "pre-push": "absent"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, HOOK_TYPES),
        ("pre-push", ("pre-push",)),
        (" post-merge , post-commit,post-merge", ("post-merge", "post-commit")),
    ],
)
def test_types_are_parsed_in_the_given_order(value, expected):
    assert parse_types(value) == expected


@pytest.mark.parametrize("value", ["pre-commit", "post-commit,nope", ","])
def test_unknown_or_empty_types_are_usage_errors(value):
    with pytest.raises(UsageError) as caught:
        parse_types(value)
    assert "post-commit,post-merge,post-checkout,pre-push" in str(caught.value)


def test_install_outside_a_git_repository_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError) as caught:
        install_hooks(tmp_path)
    assert "not inside a git repository" in str(caught.value)

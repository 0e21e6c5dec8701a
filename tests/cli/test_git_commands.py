"""`flowops git install|uninstall|status|hook-run`: output modes and exit codes."""

from __future__ import annotations

import json

from tests.gitops.gitrepo import git, hermetic_git, write_probe_hook  # noqa: F401 - hermetic_git is autouse


def test_install_json_lists_each_hook_with_its_action(flowops, repo, tmp_path):
    write_probe_hook(repo / ".git" / "hooks" / "post-merge", tmp_path / "probe.log")

    result = flowops("git install --types post-commit,post-merge --json")

    assert result.exit_code == 0, result
    doc = json.loads(result.stdout)
    assert doc["hooks_dirs"] == [str(repo / ".git" / "hooks")]
    assert [(h["hook_type"], h["action"]) for h in doc["hooks"]] == [("post-commit", "installed"), ("post-merge", "installed")]
    assert doc["hooks"][1]["legacy"] == str(repo / ".git" / "hooks" / "post-merge.legacy")
    assert doc["hooks"][0]["legacy"] is None


def test_install_plain_says_where_each_script_went_and_what_was_kept(flowops, repo, tmp_path):
    write_probe_hook(repo / ".git" / "hooks" / "pre-push", tmp_path / "probe.log")

    result = flowops("git install --plain")

    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    assert lines[0] == f"post-commit: installed ({repo / '.git' / 'hooks' / 'post-commit'})"
    assert lines[3].endswith("the previous pre-push hook is kept as pre-push.legacy and runs first")


def test_uninstall_then_status_show_nothing_left(flowops, repo):
    assert flowops("git install").exit_code == 0

    removed = flowops("git uninstall --json")
    status = flowops("git status --json")

    assert {h["action"] for h in json.loads(removed.stdout)["hooks"]} == {"removed"}
    assert {h["action"] for h in json.loads(status.stdout)["hooks"]} == {"absent"}


def test_core_hooks_path_refusal_exits_2_and_names_the_way_out(flowops, repo):
    git(repo, "config", "core.hooksPath", ".githooks")

    refused = flowops("git install")
    followed = flowops("git install --hooks-path --types post-commit --json")

    assert refused.exit_code == 2
    assert "core.hooksPath" in refused.stderr and "--hooks-path" in refused.stderr
    assert refused.stdout == ""
    assert followed.exit_code == 0
    assert json.loads(followed.stdout)["hooks_dirs"] == [str(repo / ".githooks")]


def test_unknown_hook_type_is_a_usage_error(flowops):
    result = flowops("git install --types post-commit,pre-commit")
    assert result.exit_code == 2
    assert "'pre-commit'" in result.stderr


def test_install_outside_git_is_a_usage_error(flowops, tmp_path):
    outside = tmp_path / "plain-folder"
    outside.mkdir()
    result = flowops("git install", cwd=outside)
    assert result.exit_code == 2
    assert "not inside a git repository" in result.stderr


def test_hook_run_with_an_unknown_type_exits_0_with_one_line(flowops):
    result = flowops("git hook-run pre-commit")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "unknown hook type 'pre-commit'" in result.stderr


def test_hook_run_outside_git_exits_0_with_one_line(flowops, tmp_path):
    outside = tmp_path / "plain-folder"
    outside.mkdir()
    result = flowops("git hook-run post-commit", cwd=outside)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("flowops post-commit: git.commit not recorded:")

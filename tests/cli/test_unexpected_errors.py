"""An unexpected exception ends in one line naming it and the log holding its traceback, exit 1.

Modelled on pre-commit's error handler: users never see a raw traceback, and the
traceback is kept outside the repository so that it never dirties the git tree.
"""

from __future__ import annotations

import subprocess

import pytest


@pytest.fixture
def project(repo, flowops):
    assert flowops("init demo").exit_code == 0
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(repo), "commit", "-qm", "init"], check=True)
    return repo


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("FLOWOPS_CACHE_DIR", raising=False)
    return home


def _explode(*_args, **_kwargs):
    raise RuntimeError("disk on fire")


def test_an_unexpected_exception_prints_one_line_naming_the_log_and_exits_1(project, flowops, cache_home, monkeypatch):
    monkeypatch.setattr("flowops.backlog.store.Backlog.render_rows", _explode)
    result = flowops("task list --plain")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result
    log = cache_home / "flowops" / "flowops.log"
    assert lines[0] == f"error: unexpected RuntimeError: disk on fire (the full traceback is in {log})"
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "RuntimeError: disk on fire" in text
    assert "flowops task list --plain" in text


def test_the_traceback_log_does_not_dirty_the_git_tree(project, flowops, cache_home, monkeypatch):
    monkeypatch.setattr("flowops.backlog.store.Backlog.render_rows", _explode)
    assert flowops("task list --plain").exit_code == 1
    status = subprocess.run(["git", "-C", str(project), "status", "--porcelain"], capture_output=True, text=True, check=True)
    assert status.stdout == ""


def test_the_log_folder_follows_flowops_cache_dir(project, flowops, tmp_path, monkeypatch):
    monkeypatch.setenv("FLOWOPS_CACHE_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setattr("flowops.backlog.store.Backlog.render_rows", _explode)
    result = flowops("task list --plain")
    assert result.exit_code == 1
    assert str(tmp_path / "elsewhere" / "flowops.log") in result.stderr
    assert (tmp_path / "elsewhere" / "flowops.log").is_file()


def test_credentials_in_the_exception_are_masked_in_the_line_and_the_log(project, flowops, cache_home, monkeypatch):
    def leak(*_args, **_kwargs):
        raise ValueError("cannot reach https://bot:pa55word-x@hooks.example.com/x")

    monkeypatch.setattr("flowops.backlog.store.Backlog.render_rows", leak)
    result = flowops("task list --plain")
    assert result.exit_code == 1
    assert "pa55word-x" not in result.stderr
    assert "pa55word-x" not in (cache_home / "flowops" / "flowops.log").read_text(encoding="utf-8")


def test_flowops_errors_keep_their_exit_codes_and_messages(project, flowops, cache_home):
    missing = flowops("task view 99")
    assert missing.exit_code == 1
    assert missing.stderr.startswith("error: ") and "not found" in missing.stderr
    assert flowops('task create "A"').exit_code == 0
    blocked = flowops("workflow check operate 1")
    assert blocked.exit_code == 4
    assert blocked.stderr.startswith("error: ")
    assert not (cache_home / "flowops" / "flowops.log").exists()


def test_click_usage_errors_keep_exit_2(project, flowops, cache_home):
    result = flowops("task list --sort sideways")
    assert result.exit_code == 2
    assert "Invalid value for '--sort'" in result.stderr
    assert not (cache_home / "flowops" / "flowops.log").exists()

"""The cmd check: no shell, the repository root, a timeout that kills the whole process group."""

from __future__ import annotations

import time

from tests.checks.conftest import messages
from tests.support.processes import gone


def test_exit_zero_passes_and_the_last_lines_are_the_evidence(check, tmp_path):
    result = check("cmd python3 -c \"import os; print('in', os.getcwd()); [print(i) for i in range(30)]\"", root=tmp_path)
    assert result.status == "pass"
    assert messages(result) == [str(i) for i in range(10, 30)]


def test_it_runs_in_the_repository_root(check, tmp_path):
    result = check("cmd pwd", root=tmp_path)
    assert messages(result) == [str(tmp_path)]


def test_a_non_zero_exit_fails_with_the_output(check, tmp_path):
    result = check("cmd sh -c 'echo broken >&2; exit 3'", root=tmp_path)
    assert (result.status, result.summary) == ("fail", "`sh -c 'echo broken >&2; exit 3'` exited 3")
    assert messages(result) == ["broken"]


def test_no_shell_interprets_the_words(check, tmp_path):
    result = check("cmd echo '$HOME' '>' out.txt '&&' whoami", root=tmp_path)
    assert messages(result) == ["$HOME > out.txt && whoami"]
    assert not (tmp_path / "out.txt").exists()


def test_a_program_that_is_not_installed_is_skipped(check, tmp_path):
    result = check("cmd kubeconform-not-installed -strict k8s/", root=tmp_path)
    assert result.status == "skipped" and "not found on PATH" in result.summary


def test_the_timeout_kills_the_process_group_children_included(check, tmp_path):
    pid_file = tmp_path / "child.pid"
    started = time.monotonic()
    result = check(f"cmd --timeout 1 sh -c 'sleep 60 & echo $! > {pid_file}; wait'", root=tmp_path)
    assert result.status == "fail" and "did not finish within 1 s" in result.summary
    assert time.monotonic() - started < 30
    assert gone(int(pid_file.read_text())), "the background child survived the timeout"


def test_credentials_in_output_are_masked(check, tmp_path):
    result = check("cmd echo https://deploy:s3cr3t@registry.example.com/v2", root=tmp_path)
    assert messages(result) == ["https://***@registry.example.com/v2"]


def test_without_a_program_the_binding_is_an_error(check, tmp_path):
    assert check("cmd --timeout 5", root=tmp_path).status == "error"
    assert check("cmd --timeout soon true", root=tmp_path).status == "error"

"""The file check: each path exists inside the repository and is not empty."""

from __future__ import annotations

import os

from tests.checks.conftest import messages


def test_existing_files_and_folders_pass(check):
    result = check("file docs/slo.md dashboards")
    assert result.status == "pass"
    assert messages(result) == ["docs/slo.md 112 bytes", "dashboards folder with 1 entry"]


def test_missing_empty_and_outside_paths_fail_or_error(check, tmp_path):
    (tmp_path / "empty.md").write_text("")
    (tmp_path / "empty-dir").mkdir()
    os.symlink("/etc/hostname", tmp_path / "outside.txt")
    result = check("file empty.md empty-dir missing.md outside.txt", root=tmp_path)
    assert messages(result) == ["empty-dir is an empty folder", "empty.md is empty", "missing.md does not exist",
                                "outside.txt is a symlink to a place outside the repository"]
    assert check("file /etc/passwd", root=tmp_path).status == "error"
    assert check("file", root=tmp_path).status == "error"

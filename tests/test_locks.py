"""Lock files: clear errors for a folder or a link in their place, and a hint that never suggests an unsafe fix."""

from __future__ import annotations

import fcntl
import os

import pytest

from flowops.errors import StoreError
from flowops.locks import file_lock


def test_a_folder_where_the_lock_file_belongs_is_a_clear_error(flowops, repo):
    assert flowops("init").exit_code == 0
    (repo / ".flowops" / "locks").mkdir(exist_ok=True)
    (repo / ".flowops" / "locks" / "create.lock").mkdir()

    result = flowops("task create Blocked")

    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert "create.lock" in result.stderr and "folder" in result.stderr
    assert list((repo / "backlog" / "tasks").iterdir()) == []


def test_a_symlink_where_the_lock_file_belongs_is_not_followed(tmp_path):
    target = tmp_path / "somebody-elses-file"
    target.write_text("keep me")
    link = tmp_path / "x.lock"
    link.symlink_to(target)
    with pytest.raises(StoreError) as info, file_lock(link):
        pass
    assert "symbolic link" in info.value.message
    assert target.read_text() == "keep me"


def test_the_timeout_hint_never_suggests_deleting_a_held_lock(tmp_path):
    path = tmp_path / "held.lock"
    holder = os.open(path, os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        with pytest.raises(StoreError) as info, file_lock(path, timeout=0.2):
            pass
    finally:
        os.close(holder)
    hint = info.value.hint
    assert "remove the lock file" not in hint and "delete" not in hint.replace("deleting it", "")
    assert "never stale" in hint and ("fuser" in hint or "lsof" in hint)

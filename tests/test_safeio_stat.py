"""read_regular_stat gives the bytes and the fstat of exactly the file it read, with read_regular's refusals."""

from __future__ import annotations

import os

import pytest

from flowops.safeio import RefusedFile, read_regular_stat


def test_the_stat_is_that_of_the_file_read(tmp_path):
    path = tmp_path / "task.md"
    path.write_bytes(b"---\nid: TASK-1\n---\n")
    data, info = read_regular_stat(path, 1000)
    st = os.lstat(path)
    assert data == b"---\nid: TASK-1\n---\n" and (info.st_size, info.st_mtime_ns) == (st.st_size, st.st_mtime_ns)


def test_a_link_or_an_oversized_file_is_refused(tmp_path):
    path = tmp_path / "task.md"
    path.write_bytes(b"x" * 20)
    (tmp_path / "link.md").symlink_to(path)
    with pytest.raises(RefusedFile, match="symbolic link"):
        read_regular_stat(tmp_path / "link.md", 1000)
    with pytest.raises(RefusedFile):
        read_regular_stat(path, 10)

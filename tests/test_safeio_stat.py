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


@pytest.mark.parametrize("size", [None, 0, 5, 99, 100, 101, 5000])
def test_reading_an_open_file_gets_all_of_it_whatever_size_it_was_said_to_have(tmp_path, size):
    # The size only shapes the first read: a file that grew or shrank since its stat is read as it is.
    from flowops.safeio import read_fd

    path = tmp_path / "grown.md"
    content = bytes(range(100)) * 70  # 7,000 bytes: more than one short read
    path.write_bytes(content)
    fd = os.open(path, os.O_RDONLY)
    try:
        assert read_fd(fd, 10**6, size) == content
    finally:
        os.close(fd)
    fd = os.open(path, os.O_RDONLY)
    try:
        assert read_fd(fd, 6001, size) == content[:6001]  # never more than asked
    finally:
        os.close(fd)

"""Lock files: clear errors for a folder or a link in their place, a hint that never suggests an unsafe fix, no waiting on a free lock."""

from __future__ import annotations

import subprocess
import sys

import pytest

from flowops.errors import StoreError
from flowops.locks import file_lock

HOLD = """
import sys, time
from flowops.locks import file_lock
with file_lock(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.read()  # until the test closes the pipe
"""


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


def test_a_dangling_symlink_is_not_followed_either(tmp_path):
    link = tmp_path / "x.lock"
    link.symlink_to(tmp_path / "would-be-created")
    with pytest.raises(StoreError) as info, file_lock(link):
        pass
    assert "symbolic link" in info.value.message
    assert not (tmp_path / "would-be-created").exists()


@pytest.fixture
def held_lock(tmp_path):
    """A lock file held by another process until the test ends."""
    path = tmp_path / "held.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    yield path
    holder.communicate(timeout=30)


def test_a_lock_held_by_another_process_times_out_with_a_hint_that_never_suggests_deleting_it(held_lock):
    with pytest.raises(StoreError) as info, file_lock(held_lock, timeout=0.2):
        pass
    assert str(held_lock) in info.value.message and "another flowops process holds it" in info.value.message
    hint = info.value.hint
    assert "remove the lock file" not in hint and "delete" not in hint.replace("deleting it", "")
    assert "never stale" in hint and ("fuser" in hint or "lsof" in hint)


def test_a_lock_is_free_again_once_released_and_its_file_stays(tmp_path):
    path = tmp_path / "locks" / "create.lock"
    with file_lock(path):
        assert path.is_file()
    with file_lock(path, timeout=0.2):
        pass
    assert path.is_file()  # removing it would split waiters across two files


def test_no_flowops_module_talks_to_fcntl_or_msvcrt_itself():
    import ast
    from pathlib import Path

    import flowops

    offenders = []
    for path in Path(flowops.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] in ("fcntl", "msvcrt")]
    assert offenders == []


def test_the_store_and_the_cli_import_where_fcntl_does_not_exist():
    # As on Windows: the store used to import fcntl at the top and could not be imported there.
    code = "import sys; sys.modules['fcntl'] = None; import flowops.backlog.store, flowops.locks, flowops.cli; print('ok')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (0, "ok\n"), done.stderr

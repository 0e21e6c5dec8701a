"""The installed scripts, run by git itself: previous hooks, exit statuses, finding flowops."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from flowops.gitops.install import install_hooks
from tests.gitops.gitrepo import commit, git, head, read_log, write_probe_hook


def _bare_remote(repo: Path, tmp_path: Path) -> Path:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    return remote


def test_a_failing_previous_pre_push_hook_still_stops_the_push(repo, tmp_path):
    remote = _bare_remote(repo, tmp_path)
    log = tmp_path / "probe.log"
    write_probe_hook(repo / ".git" / "hooks" / "pre-push", log, exit_code=3, read_stdin=True)
    install_hooks(repo)
    commit(repo, "first")

    pushed = git(repo, "push", "origin", "main", check=False)

    assert pushed.returncode != 0
    assert git(remote, "rev-parse", "--verify", "--quiet", "refs/heads/main", check=False).returncode != 0
    # The previous hook got git's arguments and the refs on stdin, as before flowops.
    [line] = read_log(log)
    assert line.startswith(f"pre-push.legacy origin {remote} refs/heads/main {head(repo)} refs/heads/main ")


def test_a_passing_previous_pre_push_hook_lets_the_push_through(repo, tmp_path):
    remote = _bare_remote(repo, tmp_path)
    write_probe_hook(repo / ".git" / "hooks" / "pre-push", tmp_path / "probe.log", read_stdin=True)
    install_hooks(repo)
    commit(repo, "first")

    git(repo, "push", "-q", "origin", "main")

    assert git(remote, "rev-parse", "refs/heads/main").stdout.strip() == head(repo)


def test_the_previous_post_checkout_status_stays_the_checkout_status(repo, tmp_path):
    # git makes a post-checkout hook's status its own; installing flowops must not change that.
    commit(repo, "base")
    write_probe_hook(repo / ".git" / "hooks" / "post-checkout", tmp_path / "probe.log", exit_code=5)
    before = git(repo, "checkout", "-q", "-b", "before-install", check=False)
    install_hooks(repo)

    after = git(repo, "checkout", "-q", "-b", "after-install", check=False)

    assert after.returncode == before.returncode != 0
    assert read_log(tmp_path / "probe.log") == [
        f"post-checkout {head(repo)} {head(repo)} 1",
        f"post-checkout.legacy {head(repo)} {head(repo)} 1",
    ]


def test_without_a_reachable_flowops_the_commit_succeeds_with_one_line_on_stderr(repo, tmp_path):
    log = tmp_path / "probe.log"
    write_probe_hook(repo / ".git" / "hooks" / "post-commit", log)
    install_hooks(repo, types=("post-commit",), python=str(tmp_path / "deleted-venv" / "bin" / "python"))
    git_dir = os.path.dirname(shutil.which("git"))
    search_path = os.pathsep.join([git_dir, "/bin"])
    assert shutil.which("flowops", path=search_path) is None

    done = commit(repo, "first", env={"PATH": search_path})

    assert done.returncode == 0
    assert git(repo, "log", "--format=%s").stdout.split() == ["first"]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("flowops: post-commit not reported:") and "deleted-venv" in lines[0]
    assert read_log(log) == ["post-commit.legacy"]


def test_files_in_the_repository_cannot_shadow_flowops(repo, tmp_path):
    shadow = repo / "flowops"
    shadow.mkdir()
    (shadow / "__init__.py").write_text("")
    (shadow / "__main__.py").write_text(f"open({str(tmp_path / 'shadowed')!r}, 'w').close()\n")
    install_hooks(repo, types=("post-commit",))

    commit(repo, "first")

    assert not (tmp_path / "shadowed").exists()


def test_a_crashing_flowops_never_blocks_a_push(repo, tmp_path):
    remote = _bare_remote(repo, tmp_path)
    crashing = tmp_path / "venv" / "bin" / "python"
    write_probe_hook(crashing, tmp_path / "crash.log", exit_code=7)
    install_hooks(repo, python=str(crashing))
    commit(repo, "first")

    pushed = git(repo, "push", "-q", "origin", "main", check=False)

    assert pushed.returncode == 0
    assert git(remote, "rev-parse", "refs/heads/main").stdout.strip() == head(repo)
    assert any(line.startswith("python -P -m flowops git hook-run pre-push origin") for line in read_log(tmp_path / "crash.log"))


def test_an_interpreter_path_with_spaces_and_quotes_still_runs(repo, tmp_path):
    odd_python = tmp_path / "my venv" / "it's here" / "bin" / "python"
    write_probe_hook(odd_python, tmp_path / "calls.log")
    install_hooks(repo, types=("post-commit",), python=str(odd_python))

    commit(repo, "first")

    assert read_log(tmp_path / "calls.log") == ["python -P -m flowops git hook-run post-commit"]

"""Which files discovery searches, and reading them as untrusted input."""

from __future__ import annotations

import os
import subprocess

import pytest

from flowops.discovery.files import MAX_FILE_BYTES, Unreadable, glob_regex, list_files
from tests.support.evidence import git


def write(root, rel, text="x: 1\n"):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def tree(repo):
    for rel in ("k8s/app.yaml", "backlog/tasks/task-1 - A.md", ".flowops/config.toml", "node_modules/x/app.yaml",
                "vendor/github.com/x/deploy.yaml", "build/generated.yaml", "services/api/k8s.yaml",
                "env/lib/python3.11/site-packages/a.yaml", "env/pyvenv.cfg", "tools/.venv/x.yaml"):
        write(repo, rel)
    write(repo, ".gitignore", "build/\n")
    return repo


def test_in_git_tracked_and_untracked_files_count_but_ignored_and_skipped_folders_do_not(tree):
    git(tree, "add", "k8s/app.yaml")
    files = list_files(tree, skip=["backlog"])
    assert files.source == "git"
    assert files.paths == [".gitignore", "k8s/app.yaml", "services/api/k8s.yaml"]


def test_outside_git_a_walk_skips_the_same_folders(tmp_path):
    root = tmp_path / "plain"
    for rel in ("k8s/app.yaml", "node_modules/x/app.yaml", "backlog/tasks/t.md", ".venv/lib/a.yaml"):
        write(root, rel)
    files = list_files(root, skip=["backlog"])
    assert files.source == "walk"
    assert files.paths == ["k8s/app.yaml"]


def test_include_globs_widen_the_search_and_exclude_globs_narrow_it(tree):
    files = list_files(tree, skip=["backlog"], include=["build/"], exclude=["services/**"])
    assert files.paths == [".gitignore", "build/generated.yaml", "k8s/app.yaml"]


@pytest.mark.parametrize("pattern, path, matches", [
    ("k8s/**/*.yaml", "k8s/app.yaml", True),
    ("k8s/**/*.yaml", "k8s/prod/app.yaml", True),
    ("k8s/*.yaml", "k8s/prod/app.yaml", False),
    ("*.rules.yml", "monitoring/node.rules.yml", True),
    ("generated/", "generated/a/b.yaml", True),
    ("generated/", "src/generated/a.yaml", False),
    ("/k8s/app.yaml", "k8s/app.yaml", True),
])
def test_glob_syntax(pattern, path, matches):
    assert bool(glob_regex(pattern).match(path)) is matches


def test_a_symlink_to_a_file_outside_the_repository_is_not_read(repo, tmp_path):
    secret = write(tmp_path, "outside/secret.yaml", "token: hunter2\n")
    os.symlink(secret, repo / "leak.yaml")
    files = list_files(repo)
    assert "leak.yaml" in files.paths
    with pytest.raises(Unreadable, match="outside the repository"):
        files.read_bytes("leak.yaml")


def test_a_symlink_inside_the_repository_is_followed(repo):
    write(repo, "k8s/app.yaml", "kind: Service\n")
    os.symlink("k8s/app.yaml", repo / "app.yaml")
    assert list_files(repo).read_text("app.yaml") == "kind: Service\n"


def test_a_symlinked_folder_is_not_descended_into_outside_git(tmp_path):
    outside = tmp_path / "outside"
    write(outside, "deploy.yaml")
    root = tmp_path / "plain"
    root.mkdir()
    os.symlink(outside, root / "deploy")
    assert list_files(root).paths == []


def test_special_files_and_big_files_are_refused_with_a_reason(repo):
    os.mkfifo(repo / "pipe.yaml")
    big = repo / "huge.yaml"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    files = list_files(repo)
    with pytest.raises(Unreadable, match="not a regular file"):
        files.read_bytes("pipe.yaml")
    with pytest.raises(Unreadable, match="more than"):
        files.read_bytes("huge.yaml")


def test_a_deleted_but_tracked_file_is_unreadable_not_an_error(repo):
    write(repo, "k8s/app.yaml")
    git(repo, "add", "-A")
    (repo / "k8s" / "app.yaml").unlink()
    files = list_files(repo)
    assert files.try_read_text("k8s/app.yaml") is None
    assert files.skipped[0][0] == "k8s/app.yaml"


def test_a_project_in_a_subfolder_of_a_git_repository_lists_its_own_files(repo):
    write(repo, "other/app.yaml")
    write(repo, "shop/k8s/app.yaml")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    assert list_files(repo / "shop").paths == ["k8s/app.yaml"]

from __future__ import annotations

import pytest

from flowops.gitops.payload import (
    PushRef,
    checkout_fields,
    commit_fields,
    find_task_ids,
    merge_fields,
    parse_name_status,
    parse_push_refs,
    push_fields,
    redact_url,
)
from flowops.gitops.repo import open_repo
from tests.gitops.gitrepo import commit, git, head

Z40 = "0" * 40


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TASK-12: fix login", ["TASK-12"]),
        ("fix login (task-12.1) and Task-3", ["TASK-12.1", "TASK-3"]),
        ("closes task-7, refs TASK-7.", ["TASK-7"]),
        ("task-12.1.2 nested subtask", ["TASK-12.1.2"]),
        ("subtask-3 mytask-4 task-5a task-x TASK-", []),
        ("feature/task-42-checkout", ["TASK-42"]),
        ("", []),
    ],
)
def test_task_ids_are_found_and_upper_cased(text, expected):
    assert find_task_ids(text) == expected


def test_task_ids_from_several_texts_keep_first_mention_order():
    assert find_task_ids("task-2 then task-1", None, "TASK-1 and task-3") == ["TASK-2", "TASK-1", "TASK-3"]


def test_push_refs_are_parsed_with_their_action():
    a, b = "a" * 40, "b" * 40
    text = (f"refs/heads/main {a} refs/heads/main {b}\nrefs/heads/new {a} refs/heads/new {Z40}\n"
            f"(delete) {Z40} refs/heads/old {b}\n\ngarbage line\n")

    refs = parse_push_refs(text)

    assert refs == [
        PushRef("refs/heads/main", a, "refs/heads/main", b),
        PushRef("refs/heads/new", a, "refs/heads/new", Z40),
        PushRef("(delete)", Z40, "refs/heads/old", b),
    ]
    assert [r.action for r in refs] == ["update", "create", "delete"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:s3cret@example.com/org/repo.git", "https://***@example.com/org/repo.git"),
        ("https://ghp_token123@github.com/org/repo.git", "https://***@github.com/org/repo.git"),
        ("ssh://git@example.com:2222/org/repo.git", "ssh://git@example.com:2222/org/repo.git"),
        ("ssh://git:pw@example.com/org/repo.git", "ssh://git:***@example.com/org/repo.git"),
        ("git@github.com:org/repo.git", "git@github.com:org/repo.git"),
        ("https://example.com/org/repo.git", "https://example.com/org/repo.git"),
        ("/srv/git/repo.git", "/srv/git/repo.git"),
    ],
)
def test_remote_urls_lose_their_credentials(url, expected):
    assert redact_url(url) == expected


def test_name_status_output_splits_changed_and_deleted_paths():
    output = "M\0src/a.py\0D\0old.txt\0R087\0before.md\0after.md\0A\0dir with space/n\u00e9w.txt\0"
    assert parse_name_status(output) == (["src/a.py", "after.md", "dir with space/n\u00e9w.txt"], ["old.txt"])
    assert parse_name_status("") == ([], [])


def test_commit_fields_describe_the_new_head_commit(repo):
    commit(repo, "initial", {"a.txt": "a", "gone.txt": "x"})
    git(repo, "rm", "-q", "gone.txt")
    commit(repo, "TASK-12: checkout latency\n\nAlso touches task-3.1.", {"a.txt": "changed", "b/c.txt": "new"})

    fields = commit_fields(open_repo(repo))

    assert fields.task_id == "TASK-12"
    assert fields.files == ["a.txt", "b/c.txt"]
    data = fields.data
    assert data["sha"] == head(repo)
    assert data["branch"] == "main"
    assert (data["author"], data["author_email"]) == ("Test User", "test@example.com")
    assert data["message"] == "TASK-12: checkout latency\n\nAlso touches task-3.1."
    assert data["summary"] == "TASK-12: checkout latency"
    assert data["task_ids"] == ["TASK-12", "TASK-3.1"]
    assert data["deleted"] == ["gone.txt"]
    assert len(data["parents"]) == 1


def test_commit_fields_of_a_root_commit_on_a_detached_head(repo):
    commit(repo, "root commit", {"x.txt": "x"})
    git(repo, "checkout", "-q", "--detach")

    fields = commit_fields(open_repo(repo))

    assert fields.files == ["x.txt"]
    assert fields.data["parents"] == [] and fields.data["branch"] is None
    assert fields.task_id is None and fields.data["task_ids"] == []


def test_merge_fields_list_what_the_merge_brought_in(repo):
    commit(repo, "base", {"base.txt": "b"})
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, "task-8 part one", {"f1.txt": "1"})
    commit(repo, "TASK-9 part two", {"f2.txt": "2"})
    git(repo, "checkout", "-q", "main")
    commit(repo, "main moves on", {"m.txt": "m"})
    before = head(repo)
    git(repo, "merge", "-q", "--no-edit", "feature")

    fields = merge_fields(open_repo(repo), "0")

    assert fields.data["previous_sha"] == before and fields.data["sha"] == head(repo) != before
    assert fields.data["squash"] is False and fields.data["branch"] == "main"
    assert sorted(fields.files) == ["f1.txt", "f2.txt"]
    assert fields.data["task_ids"] == ["TASK-9", "TASK-8"]  # newest commit first, as git log lists them


def test_squash_merge_fields_use_the_staged_changes_and_prepared_message(repo):
    commit(repo, "base", {"base.txt": "b"})
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, "TASK-4 squashed work", {"s.txt": "s"})
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--squash", "feature")

    fields = merge_fields(open_repo(repo), "1")

    assert fields.data["squash"] is True
    assert fields.files == ["s.txt"]
    assert fields.task_id == "TASK-4"


def test_checkout_fields_name_both_branches_and_tasks_in_the_branch_name(repo):
    commit(repo, "base")
    previous = head(repo)
    git(repo, "checkout", "-q", "-b", "task-21-retry-policy")

    fields = checkout_fields(open_repo(repo), previous, previous, "1")

    assert fields.data == {
        "previous_sha": previous,
        "sha": previous,
        "branch": "task-21-retry-policy",
        "branch_checkout": True,
        "previous_branch": "main",
        "task_ids": ["TASK-21"],
    }
    assert fields.task_id == "TASK-21"


def test_checkout_after_clone_has_no_previous_commit(repo):
    commit(repo, "base")
    fields = checkout_fields(open_repo(repo), Z40, head(repo), "1")
    assert fields.data["previous_sha"] is None


def test_push_fields_count_only_commits_the_remote_lacks(repo, tmp_path):
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    commit(repo, "TASK-1 already pushed")
    git(repo, "push", "-q", "origin", "main")
    pushed_before = head(repo)
    commit(repo, "TASK-2 new work")
    commit(repo, "more for task-3")
    stdin = f"refs/heads/main {head(repo)} refs/heads/main {pushed_before}\n"

    fields = push_fields(open_repo(repo), "origin", "https://bot:token@example.com/r.git", stdin)

    assert fields.data["commits"] == 2
    assert fields.data["task_ids"] == ["TASK-3", "TASK-2"]
    assert fields.data["url"] == "https://***@example.com/r.git"
    assert fields.data["refs"] == [
        {"local_ref": "refs/heads/main", "local_sha": head(repo), "remote_ref": "refs/heads/main", "remote_sha": pushed_before,
         "action": "update"}
    ]


def test_push_fields_tolerate_a_remote_sha_missing_locally(repo):
    commit(repo, "TASK-5 only commit")
    stdin = f"refs/heads/main {head(repo)} refs/heads/main {'f' * 40}\n"

    fields = push_fields(open_repo(repo), "elsewhere", None, stdin)

    assert fields.data["commits"] == 1 and fields.task_id == "TASK-5"

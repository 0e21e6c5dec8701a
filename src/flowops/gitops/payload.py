"""What each git hook reports: the event fields for git.commit, git.merge, git.checkout, git.push.

The parsers (task ids, push refs, ``--name-status -z`` output, remote URLs) are pure
functions; the ``*_fields`` collectors ask the repository through ``GitRepo``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flowops.gitops.repo import GitRepo

# hook type -> the event it emits (also the hook types flowops installs, in this order)
HOOK_EVENTS: dict[str, str] = {
    "post-commit": "git.commit",
    "post-merge": "git.merge",
    "post-checkout": "git.checkout",
    "pre-push": "git.push",
}
# "TASK-12", "task-12.1" (subtasks); not "subtask-3" nor "task-12a".
TASK_ID_RE = re.compile(r"(?<![\w-])task-(\d+(?:\.\d+)*)(?!\w)", re.IGNORECASE)
# Hooks on a huge commit (a vendored tree) must stay fast and events readable.
MAX_FILES = 1000
MAX_LOG_COMMITS = 500
_FIELD_SEP = "\x1f"


@dataclass
class EventFields:
    """Everything ``emit`` needs besides the project and the event type."""

    task_id: str | None = None
    files: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PushRef:
    """One line of what git writes on a pre-push hook's stdin."""

    local_ref: str
    local_sha: str
    remote_ref: str
    remote_sha: str

    @property
    def action(self) -> str:
        if is_null_sha(self.local_sha):
            return "delete"
        if is_null_sha(self.remote_sha):
            return "create"
        return "update"

    def to_dict(self) -> dict:
        return {
            "local_ref": self.local_ref,
            "local_sha": self.local_sha,
            "remote_ref": self.remote_ref,
            "remote_sha": self.remote_sha,
            "action": self.action,
        }


def is_null_sha(sha: str) -> bool:
    """git's all-zeros object name (SHA-1 or SHA-256): "no such commit"."""
    return bool(sha) and set(sha) == {"0"}


def find_task_ids(*texts: str | None) -> list[str]:
    """Task ids mentioned in ``texts``, upper-cased (``task-12.1`` -> ``TASK-12.1``), first mention first."""
    found: dict[str, None] = {}
    for text in texts:
        for match in TASK_ID_RE.finditer(text or ""):
            found[f"TASK-{match.group(1)}"] = None
    return list(found)


def parse_push_refs(text: str) -> list[PushRef]:
    """Parse pre-push stdin (``<local ref> <local sha> <remote ref> <remote sha>`` per line).

    Lines that do not have four fields are skipped: a hook must not fail on them.
    """
    refs = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 4:
            refs.append(PushRef(*parts))
    return refs


def redact_url(url: str) -> str:
    """``url`` without credentials: ``https://user:token@host/x`` -> ``https://***@host/x``.

    A user name alone is kept for ssh (``ssh://git@host``) but not for http(s), where it
    is often a token.
    """
    if "://" not in url:
        return url  # scp-like "git@host:path" or a local path: no secret in it
    from urllib.parse import urlsplit, urlunsplit  # only pre-push needs it

    try:
        parts = urlsplit(url)
    except ValueError:
        return "***"
    if "@" not in parts.netloc:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user, has_password, _ = userinfo.partition(":")
    if has_password or parts.scheme.lower() in {"http", "https"}:
        userinfo = "***" if parts.scheme.lower() in {"http", "https"} else f"{user}:***"
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{host}"))


def parse_name_status(output: str) -> tuple[list[str], list[str]]:
    """Split ``git diff --name-status -z`` output into (changed paths that exist after, deleted paths).

    A rename or copy counts as its new path.
    """
    tokens = output.split("\0")
    files: list[str] = []
    deleted: list[str] = []
    index = 0
    while index < len(tokens) and tokens[index]:
        status = tokens[index]
        if status[0] in "RC":
            files.append(tokens[index + 2])
            index += 3
            continue
        (deleted if status[0] == "D" else files).append(tokens[index + 1])
        index += 2
    return files, deleted


def _changed(repo: GitRepo, command: str, *revs: str) -> tuple[list[str], dict]:
    """(changed files, data fields about them) from ``git diff-tree``/``diff-index`` between ``revs``.

    The files go to ``emit`` (which checks them and sets ``data.files``); deleted paths
    go into the data as ``deleted``, since they no longer exist to be checked.
    """
    options = ["-r", "--no-commit-id"] if command == "diff-tree" else []
    files, deleted = parse_name_status(repo.run(command, *options, "-M", "--name-status", "-z", *revs))
    data: dict = {"deleted": deleted[:MAX_FILES]}
    if len(files) > MAX_FILES or len(deleted) > MAX_FILES:
        data["files_truncated"] = True
    return files[:MAX_FILES], data


def current_branch(repo: GitRepo) -> str | None:
    """The checked-out branch, or None on a detached HEAD."""
    out = (repo.try_run("symbolic-ref", "--quiet", "--short", "HEAD") or "").strip()
    return out or None


def _event(data: dict, task_ids: list[str], files: list[str]) -> EventFields:
    data["task_ids"] = task_ids
    return EventFields(task_id=task_ids[0] if task_ids else None, files=files, data=data)


def commit_fields(repo: GitRepo) -> EventFields:
    """git.commit (post-commit): the new HEAD commit, its branch, author, message, files, task ids."""
    fmt = _FIELD_SEP.join(["%H", "%P", "%an", "%ae", "%B"])
    sha, parents, author, email, message = repo.run("log", "-1", f"--format={fmt}", "HEAD").split(_FIELD_SEP, 4)
    parent_list = parents.split()
    # A merge commit is compared with its first parent: what the merge brought in.
    files, changed = _changed(repo, "diff-tree", parent_list[0], sha) if parent_list else _changed(repo, "diff-tree", "--root", sha)
    message = message.rstrip("\n")
    data = {
        "sha": sha,
        "parents": parent_list,
        "branch": current_branch(repo),
        "author": author,
        "author_email": email,
        "message": message,
        "summary": message.split("\n", 1)[0],
        **changed,
    }
    return _event(data, find_task_ids(message), files)


def merge_fields(repo: GitRepo, squash_flag: str | None) -> EventFields:
    """git.merge (post-merge, also after ``git pull``): what came in since ORIG_HEAD.

    A squash merge commits nothing yet: its files are the staged changes and its task ids
    come from the prepared message (SQUASH_MSG).
    """
    squash = squash_flag == "1"
    sha = repo.run("rev-parse", "HEAD").strip()
    data: dict = {"sha": sha, "branch": current_branch(repo), "squash": squash}
    if squash:
        files, changed = _changed(repo, "diff-index", "--cached", "HEAD")
        squash_msg = repo.git_dir / "SQUASH_MSG"
        messages = squash_msg.read_text(encoding="utf-8", errors="replace") if squash_msg.is_file() else ""
        data["previous_sha"] = sha
    else:
        previous = (repo.try_run("rev-parse", "--verify", "--quiet", "ORIG_HEAD") or "").strip() or None
        data["previous_sha"] = previous
        if previous:
            files, changed = _changed(repo, "diff-tree", previous, sha)
            messages = repo.run("log", f"-n{MAX_LOG_COMMITS}", "--format=%B", f"{previous}..{sha}")
        else:
            files, changed, messages = [], {"deleted": []}, ""
    data.update(changed)
    return _event(data, find_task_ids(messages), files)


def checkout_fields(repo: GitRepo, previous: str | None, new: str | None, flag: str | None) -> EventFields:
    """git.checkout (post-checkout): old and new HEAD, whether a branch was switched, task ids in the branch name."""
    branch_checkout = flag == "1"
    branch = current_branch(repo)
    data: dict = {
        "previous_sha": None if not previous or is_null_sha(previous) else previous,
        "sha": new or None,
        "branch": branch,
        "branch_checkout": branch_checkout,
    }
    if branch_checkout:
        before = (repo.try_run("rev-parse", "--quiet", "--symbolic-full-name", "@{-1}") or "").strip()
        data["previous_branch"] = before.removeprefix("refs/heads/") or None
    return _event(data, find_task_ids(branch), [])


def push_fields(repo: GitRepo, remote: str | None, url: str | None, stdin_text: str) -> EventFields:
    """git.push (pre-push, before the refs are sent): remote, refs, and task ids in the pushed commits."""
    refs = parse_push_refs(stdin_text)
    pushed = [ref.local_sha for ref in refs if ref.action != "delete"]
    messages = ""
    commits = 0
    if pushed:
        # Commits the remote does not have yet: not on its tracking refs, not at the ref being replaced.
        exclude = [ref.remote_sha for ref in refs if ref.action == "update"]
        args = ["log", f"-n{MAX_LOG_COMMITS}", "--format=%B%x00", "--ignore-missing", *pushed, "--not", *exclude]
        if remote:
            args.append(f"--remotes={remote}")
        log = repo.try_run(*args) or ""
        commits = log.count("\0")
        messages = log
    data = {
        "remote": remote,
        "url": redact_url(url) if url else None,
        "branch": current_branch(repo),
        "refs": [ref.to_dict() for ref in refs],
        "commits": commits,
    }
    return _event(data, find_task_ids(messages, *(ref.local_ref for ref in refs)), [])

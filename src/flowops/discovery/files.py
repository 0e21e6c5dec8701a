"""Which files of a repository discovery looks at, and reading one of them safely.

The list: in a git work tree, ``git ls-files -co --exclude-standard`` (tracked files and
untracked files that are not ignored), which is what the team would commit; elsewhere a
walk that does not descend into symlinked folders. Either way the backlog, ``.flowops/``,
``.git``, dependency folders (``node_modules``, ``vendor``) and virtualenvs are skipped, then
the ``[discover]`` globs of the configuration narrow (``exclude``) or widen (``include``) it.

Reading: a repository is untrusted (ARCHITECTURE.md, Trust). ``RepoFiles.read`` reads
only regular files inside the repository (a symlink is followed only when its target is
inside too), at most ``MAX_FILE_BYTES``, and says why it refused otherwise.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from flowops.safeio import read_fd

MAX_FILE_BYTES = 2 * 1024 * 1024
# Folder names never searched: dependencies, caches and tool state, not the service's own files.
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".flowops", "node_modules", "vendor", "bower_components", ".venv", "venv", "virtualenv",
    ".virtualenvs", ".tox", ".nox", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages",
    ".terraform", ".direnv",
})
_GIT_TIMEOUT = 60


class Unreadable(Exception):
    """A file discovery will not read, and why (``reason`` is shown to the user)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass
class RepoFiles:
    """The repository's candidate files (POSIX paths relative to ``root``), and safe reads of them."""

    root: Path
    paths: list[str]
    source: str  # "git" or "walk"
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason) of refused reads
    max_bytes: int = MAX_FILE_BYTES

    def read_bytes(self, rel: str) -> bytes:
        """The bytes of ``rel``; raises Unreadable for a special file, a symlink out, a big file, a race."""
        target = self._target(rel)
        try:
            # O_NOFOLLOW: the file must not have become a symlink since it was looked at.
            fd = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            raise Unreadable(rel, f"cannot read: {exc.strerror or exc}") from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise Unreadable(rel, "not a regular file")
            data = read_fd(fd, self.max_bytes + 1)
        finally:
            os.close(fd)
        if len(data) > self.max_bytes:
            raise Unreadable(rel, f"grew past the {self.max_bytes:,} bytes read from one file")
        return data

    def _target(self, rel: str) -> str:
        """The file to open for ``rel``, after the checks that need no open file descriptor."""
        full = os.path.join(self.root, rel)
        try:
            info = os.lstat(full)
        except OSError as exc:
            raise Unreadable(rel, f"cannot read: {exc.strerror or exc}") from None
        target = full
        if stat.S_ISLNK(info.st_mode):
            target = os.path.realpath(full)
            if not _inside(self._real_root, target):
                raise Unreadable(rel, "a symlink to a file outside the repository; not followed")
            try:
                info = os.stat(target)
            except OSError:
                raise Unreadable(rel, "a broken symlink") from None
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable(rel, "not a regular file")
        if info.st_size > self.max_bytes:
            raise Unreadable(rel, f"{info.st_size:,} bytes, more than the {self.max_bytes:,} read from one file")
        return target

    def read_text(self, rel: str) -> str:
        """``read_bytes`` decoded as UTF-8 (a leading BOM dropped); Unreadable when it is not text."""
        data = self.read_bytes(rel)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Unreadable(rel, "not UTF-8 text") from None

    def try_read_text(self, rel: str) -> str | None:
        """``read_text``, or None with the reason kept in ``skipped``."""
        try:
            return self.read_text(rel)
        except Unreadable as exc:
            self.skipped.append((rel, exc.reason))
            return None

    @property
    def _real_root(self) -> str:
        return _realpath(str(self.root))


@lru_cache(maxsize=8)
def _realpath(path: str) -> str:
    return os.path.realpath(path)


def _inside(root: str, target: str) -> bool:
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def list_files(root: Path, *, skip: Iterable[str] = (), include: Sequence[str] = (), exclude: Sequence[str] = ()) -> RepoFiles:
    """The candidate files under ``root``; ``skip`` adds root-relative folders never searched (the backlog).

    ``include`` globs add files the defaults leave out (ignored, or in a skipped
    folder); ``exclude`` globs remove files. See ``glob_regex`` for the glob syntax.
    """
    root = Path(root)
    skip_prefixes = tuple(p.strip("/") + "/" for p in skip if p.strip("/"))
    listed = _git_files(root)
    source = "git"
    if listed is None:
        listed = list(_walk(root, skip_prefixes))
        source = "walk"
    paths = [p for p in listed if not _skipped(p, skip_prefixes)]
    venvs = tuple(p[: -len("pyvenv.cfg")] for p in paths if p == "pyvenv.cfg" or p.endswith("/pyvenv.cfg"))
    if venvs:
        paths = [p for p in paths if not p.startswith(venvs)]
    if include:
        wanted = [glob_regex(g) for g in include]
        extra = [p for p in _walk(root, (), skip_dirs=frozenset({".git"})) if any(r.match(p) for r in wanted)]
        paths = list(dict.fromkeys([*paths, *extra]))
    if exclude:
        unwanted = [glob_regex(g) for g in exclude]
        paths = [p for p in paths if not any(r.match(p) for r in unwanted)]
    paths.sort()
    return RepoFiles(root, paths, source)


def _skipped(path: str, prefixes: tuple[str, ...]) -> bool:
    if path.startswith(prefixes):
        return True
    parts = path.split("/")
    return any(part in SKIP_DIRS for part in parts[:-1])


def _git_files(root: Path) -> list[str] | None:
    """``git ls-files -co --exclude-standard`` relative to ``root``, or None outside a work tree."""
    if not (root / ".git").exists() and not _in_work_tree(root):
        return None
    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotepath=off", "ls-files", "-z", "-co", "--exclude-standard", "--", "."],
            cwd=root, capture_output=True, stdin=subprocess.DEVNULL, timeout=_GIT_TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    names = proc.stdout.decode("utf-8", "surrogateescape").split("\0")
    return [name for name in dict.fromkeys(names) if name]


def _in_work_tree(root: Path) -> bool:
    try:
        proc = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=root, capture_output=True,
                              stdin=subprocess.DEVNULL, timeout=_GIT_TIMEOUT)
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and proc.stdout.strip() == b"true"


def _walk(root: Path, skip_prefixes: tuple[str, ...], skip_dirs: frozenset[str] = SKIP_DIRS) -> Iterable[str]:
    base = str(root)
    for folder, dirs, files in os.walk(base, followlinks=False):
        rel = os.path.relpath(folder, base)
        rel = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        kept = [d for d in dirs if d not in skip_dirs]
        if skip_prefixes:
            kept = [d for d in kept if not (rel + d + "/").startswith(skip_prefixes)]
        dirs[:] = sorted(kept)
        for name in files:
            yield rel + name


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A root-relative glob as a regex: ``*`` and ``?`` stay inside one folder, ``**`` crosses folders.

    ``k8s/**/*.yaml`` matches ``k8s/a.yaml`` and ``k8s/prod/a.yaml``; a pattern ending
    in ``/`` (``generated/``) matches everything under that folder; a pattern without
    ``/`` matches a file name in any folder (``*.rules.yml``), as in .gitignore.
    """
    text = pattern.strip()
    if text.endswith("/"):
        text += "**"
    anchored = "/" in text.rstrip("/")
    text = text.lstrip("/")
    out = []
    index = 0
    while index < len(text):
        char = text[index]
        if text.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if text.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(char))
        index += 1
    body = "".join(out)
    return re.compile(body + r"\Z" if anchored else r"(?:.*/)?" + body + r"\Z")

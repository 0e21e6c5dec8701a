"""Where things are: the repository root, its backlog folder and its .flowops folder."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

BACKLOG_DIR_NAMES = ("backlog", ".backlog")
ROOT_CONFIG_NAME = "backlog.config.yml"


@dataclass
class Project:
    """A repository that flowops works in.

    ``root`` is the folder holding ``backlog/`` (or ``.backlog/`` or the folder named by
    ``backlog.config.yml``) and ``.flowops/``.
    """

    root: Path
    _backlog_dir: Path | None = field(default=None, repr=False)

    @cached_property
    def backlog_dir(self) -> Path:
        """The backlog folder, whether or not it exists yet (``backlog/`` by default)."""
        if self._backlog_dir is not None:
            return self._backlog_dir
        return find_backlog_dir(self.root) or self.root / "backlog"

    @property
    def flowops_dir(self) -> Path:
        return self.root / ".flowops"

    @cached_property
    def state_dir(self) -> Path:
        """Where this clone's audit log and outbox live (flowops.statedir): in the git folder when there is one."""
        from flowops.statedir import state_dir

        return state_dir(self.root)

    @cached_property
    def cache_dir(self) -> Path | None:
        """This repository's folder in the user's cache (flowops.cachedir); None when caching is off."""
        from flowops.cachedir import project_cache_dir

        return project_cache_dir(self.root)

    @cached_property
    def config(self):
        """flowops settings (``.flowops/config.toml`` or ``[tool.flowops]``), validated."""
        from flowops.config import load_config

        return load_config(self.root)

    def relpath(self, path: str | os.PathLike) -> str:
        """``path`` relative to the root, with forward slashes (for messages and events).

        The last component is not resolved: a symlink is named as itself, not as its target.
        """
        given = Path(path)
        try:
            located = given.parent.resolve() / given.name if given.name else given.resolve()
            return located.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)

    @property
    def name(self) -> str:
        return self.root.resolve().name


def find_backlog_dir(root: Path) -> Path | None:
    """Return the existing backlog folder of ``root``, or None."""
    root_config = root / ROOT_CONFIG_NAME
    if root_config.is_file():
        configured = _read_root_backlog_directory(root_config, root)
        if configured:
            return _inside_root(root, configured)
    for name in BACKLOG_DIR_NAMES:
        candidate = root / name
        if candidate.is_dir():
            return candidate
    return None


def _inside_root(root: Path, configured: str) -> Path:
    """``root / configured``; ConfigError when that would leave the repository (as Backlog.md refuses too)."""
    from flowops.errors import ConfigError

    candidate = Path(configured)
    normal = os.path.normpath(configured)
    if candidate.is_absolute() or normal == ".." or normal.startswith(".." + os.sep) or normal == ".":
        raise ConfigError(
            f"backlog_directory {configured!r} is not a folder inside the repository",
            path=ROOT_CONFIG_NAME,
            field="backlog_directory",
            hint="give a path relative to the repository root, such as backlog or docs/backlog",
        )
    return root / normal


def _read_root_backlog_directory(config_path: Path, root: Path) -> str | None:
    # A root backlog.config.yml is a flat YAML map; a line scan avoids importing yaml here.
    from flowops.safeio import read_config

    try:
        text = read_config(config_path, root, 1 << 20).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() == "backlog_directory":
            value = value.split(" #", 1)[0].strip().strip("'\"")
            return value or None
    return None


def find_project(start: str | os.PathLike | None = None) -> Project:
    """Find the project that ``start`` (default: the current folder) belongs to.

    Walks up from ``start`` to the first folder that holds a backlog, ``.flowops/`` or a
    root ``backlog.config.yml``; stops at the git work-tree top. If none is found, the git
    top (or ``start`` itself outside git) is the root, so ``flowops init`` creates there.
    """
    env_root = os.environ.get("FLOWOPS_ROOT")
    here = Path(env_root or start or os.getcwd()).resolve()
    git_top: Path | None = None
    for folder in (here, *here.parents):
        if (folder / ".flowops").is_dir() or (folder / ROOT_CONFIG_NAME).is_file():
            return Project(folder)
        if any((folder / name / "config.yml").is_file() or (folder / name / "tasks").is_dir() for name in BACKLOG_DIR_NAMES):
            return Project(folder)
        if (folder / ".git").exists():
            git_top = folder
            break
    return Project(git_top or here)

"""Installing and removing flowops' git hook scripts, modelled on pre-commit's installer.

Scripts go to ``<git common dir>/hooks`` so that every worktree runs them. A hook that
was there before and is not flowops' is kept as ``<name>.legacy`` and still runs first;
``uninstall`` puts it back. flowops recognises its own scripts by a marker line and never
overwrites or deletes anything else.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

from flowops.errors import FlowopsError, Problem, UsageError
from flowops.gitops.payload import HOOK_EVENTS
from flowops.gitops.repo import GitRepo, default_hooks_dir, hooks_path_setting, open_repo

HOOK_TYPES: tuple[str, ...] = tuple(HOOK_EVENTS)
MARKER = "# flowops-managed-hook"
TEMPLATE_NAME = "flowops-hook"
LEGACY_SUFFIX = ".legacy"


@dataclass
class HookChange:
    """What install, uninstall or status did (or found) for one hook type."""

    hook_type: str
    path: Path
    action: str
    legacy: Path | None = None
    note: str | None = None

    def to_dict(self) -> dict:
        return {
            "hook_type": self.hook_type,
            "path": str(self.path),
            "action": self.action,
            "legacy": str(self.legacy) if self.legacy else None,
            "note": self.note,
        }


@dataclass
class HooksReport:
    """The folders that were looked at and one change per hook type and folder."""

    hooks_dirs: list[Path]
    changes: list[HookChange] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"hooks_dirs": [str(d) for d in self.hooks_dirs], "hooks": [c.to_dict() for c in self.changes]}


def parse_types(value: str | None) -> tuple[str, ...]:
    """``"post-commit,pre-push"`` -> the hook types, in the given order; None -> all four."""
    if value is None:
        return HOOK_TYPES
    names = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [name for name in names if name not in HOOK_TYPES]
    if unknown or not names:
        raise UsageError(
            f"unknown hook type {', '.join(repr(n) for n in unknown)}" if unknown else "no hook type given",
            field="--types",
            hint=f"choose from {','.join(HOOK_TYPES)}",
        )
    return tuple(dict.fromkeys(names))


def is_flowops_script(path: Path) -> bool:
    """True when ``path`` is a file carrying flowops' marker line."""
    try:
        data = path.read_bytes()
    except OSError:  # missing, a folder, unreadable: not ours
        return False
    return MARKER.encode() in data.splitlines()


def render_script(hook_type: str, python: str) -> str:
    """The hook script for ``hook_type`` that runs flowops with ``python`` first."""
    from flowops.resources import data_dir

    template = (data_dir("hooks") / TEMPLATE_NAME).read_text(encoding="utf-8")
    return template.replace("@HOOK_TYPE@", shlex.quote(hook_type)).replace("@PYTHON@", shlex.quote(python))


def install_hooks(
    cwd: str | os.PathLike | None = None,
    *,
    types: tuple[str, ...] = HOOK_TYPES,
    force: bool = False,
    follow_hooks_path: bool = False,
    python: str | None = None,
) -> HooksReport:
    """Write flowops' hook scripts for ``types``; keep foreign hooks as ``.legacy``.

    Refuses (UsageError) when ``core.hooksPath`` is set, unless ``follow_hooks_path``;
    then installs into that folder. Checks every type before changing anything, so a
    conflict leaves the hooks folder as it was.
    """
    repo = open_repo(cwd)
    hooks_dir = _install_dir(repo, follow_hooks_path)
    script_python = os.path.abspath(python or sys.executable)  # not resolved: a venv's python is a symlink
    problems = []
    for hook_type in types:
        hook, legacy = hooks_dir / hook_type, hooks_dir / (hook_type + LEGACY_SUFFIX)
        if hook.is_dir():
            problems.append(Problem(f"{hook_type} is a folder, not a hook script", path=str(hook)))
        elif os.path.lexists(hook) and not is_flowops_script(hook) and os.path.lexists(legacy):
            problems.append(
                Problem(f"{hook_type} is not flowops' and {legacy.name} already exists; moving one would lose the other", path=str(hook))
            )
    if problems:
        raise FlowopsError(
            "nothing installed: some hooks are in the way",
            problems=problems,
            hint="move or merge the hooks named above yourself, then rerun",
        )

    hooks_dir.mkdir(parents=True, exist_ok=True)
    report = HooksReport([hooks_dir])
    for hook_type in types:
        report.changes.append(_install_one(hooks_dir, hook_type, render_script(hook_type, script_python), force))
    return report


def _install_dir(repo: GitRepo, follow_hooks_path: bool) -> Path:
    setting = hooks_path_setting(repo)
    if setting is None:
        return default_hooks_dir(repo)
    if not follow_hooks_path:
        raise UsageError(
            f"core.hooksPath is set to {setting.folder} (in {setting.origin}), so git does not run hooks from {default_hooks_dir(repo)}",
            hint="rerun with --hooks-path to install into that folder, or unset it: git config --unset core.hooksPath",
        )
    return setting.folder


def _install_one(hooks_dir: Path, hook_type: str, script: str, force: bool) -> HookChange:
    from flowops.atomic import atomic_write_text

    hook, legacy = hooks_dir / hook_type, hooks_dir / (hook_type + LEGACY_SUFFIX)
    moved = False
    if is_flowops_script(hook):
        if hook.read_text(encoding="utf-8", errors="replace") == script:
            action = "unchanged"
        elif force:
            action = "updated"
        else:
            return HookChange(hook_type, hook, "kept", _existing(legacy),
                              note="a different flowops script is installed; --force rewrites it")
    else:
        if os.path.lexists(hook):
            os.replace(hook, legacy)
            moved = True
        action = "installed"
    if action != "unchanged":
        try:
            atomic_write_text(hook, script, mode=_executable_mode())
        except BaseException:
            if moved:
                os.replace(legacy, hook)
            raise
    note = f"the previous {hook_type} hook is kept as {legacy.name} and runs first" if moved else None
    return HookChange(hook_type, hook, action, _existing(legacy), note=note)


def uninstall_hooks(cwd: str | os.PathLike | None = None, *, types: tuple[str, ...] = HOOK_TYPES) -> HooksReport:
    """Remove flowops' scripts for ``types`` and restore the ``.legacy`` hooks they kept.

    Looks in ``<git common dir>/hooks`` and in the ``core.hooksPath`` folder (if set);
    a hook without flowops' marker is never touched.
    """
    repo = open_repo(cwd)
    report = HooksReport(_candidate_dirs(repo))
    for hooks_dir in report.hooks_dirs:
        for hook_type in types:
            report.changes.append(_uninstall_one(hooks_dir, hook_type))
    return report


def _uninstall_one(hooks_dir: Path, hook_type: str) -> HookChange:
    hook, legacy = hooks_dir / hook_type, hooks_dir / (hook_type + LEGACY_SUFFIX)
    if os.path.lexists(hook) and not is_flowops_script(hook):
        return HookChange(hook_type, hook, "foreign", _existing(legacy), note="not a flowops script; left alone")
    removed = os.path.lexists(hook)
    if removed:
        os.unlink(hook)
    if os.path.lexists(legacy):
        # Also when our script was already deleted by hand: the previous hook should run again.
        os.replace(legacy, hook)
        return HookChange(hook_type, hook, "restored", note=f"the previous hook is back from {legacy.name}")
    return HookChange(hook_type, hook, "removed" if removed else "absent")


def hooks_status(cwd: str | os.PathLike | None = None, *, types: tuple[str, ...] = HOOK_TYPES) -> HooksReport:
    """What is installed for each hook type: flowops, foreign, or absent (and any .legacy)."""
    repo = open_repo(cwd)
    setting = hooks_path_setting(repo)
    active = setting.folder if setting else default_hooks_dir(repo)
    report = HooksReport(_candidate_dirs(repo))
    for hooks_dir in report.hooks_dirs:
        for hook_type in types:
            hook, legacy = hooks_dir / hook_type, hooks_dir / (hook_type + LEGACY_SUFFIX)
            if is_flowops_script(hook):
                state = "flowops"
            elif os.path.lexists(hook):
                state = "foreign"
            else:
                state = "absent"
            note = None if hooks_dir == active else "git does not run hooks from this folder (core.hooksPath points elsewhere)"
            report.changes.append(HookChange(hook_type, hook, state, _existing(legacy), note=note))
    return report


def _candidate_dirs(repo: GitRepo) -> list[Path]:
    dirs = [default_hooks_dir(repo)]
    setting = hooks_path_setting(repo)
    if setting is not None and setting.folder not in dirs:
        dirs.append(setting.folder)
    return dirs


def _existing(path: Path) -> Path | None:
    return path if os.path.lexists(path) else None


def _executable_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask | 0o100  # the owner can always run it, whatever the umask

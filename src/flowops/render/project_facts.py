"""What a project says about its own CI needs, and what a rendered pipeline still lacks.

``templates render`` used to assume branch ``main``, a ``.[test]`` extra and
``./scripts/deploy.sh`` without a word. ``detect`` reads the repository for values it can
know (the default branch from git, the Python extra from ``pyproject.toml``, the .NET
project file); ``still_to_provide`` lists what the rendered workflow runs but the
repository does not have (a deploy script, an npm script, a tsconfig.json), so the user
learns it now rather than from a red pipeline. Reads only; runs only ``git``.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

# Folders never searched for project files: dependencies and build output.
_SKIP_DIRS = {".git", "node_modules", "vendor", ".venv", "venv", "bin", "obj", "dist", "build", ".tox"}
_GIT_TIMEOUT = 5.0


@dataclass
class Detection:
    """Placeholder values read from the project, with why each was chosen."""

    values: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    def set(self, name: str, value: str, reason: str) -> None:
        self.values[name] = value
        self.reasons[name] = reason


def detect(root: Path, stack: str, placeholders: dict) -> Detection:
    """Values for ``placeholders`` (of the ``stack`` template) that the project at ``root`` determines."""
    found = Detection()
    if "DEFAULT_BRANCH" in placeholders:
        branch = default_branch(root)
        if branch is not None:
            found.set("DEFAULT_BRANCH", branch[0], branch[1])
    if stack == "python" and "INSTALL_COMMAND" in placeholders:
        _python_install(root, placeholders["INSTALL_COMMAND"].default or "", found)
    if stack == "dotnet" and "PROJECT" in placeholders:
        default = placeholders["PROJECT"].default or ""
        if not (root / default).is_file():
            projects = _find(root, (".csproj", ".fsproj", ".sln"), depth=4)
            if projects:
                found.set("PROJECT", projects[0], f"the first project file found ({len(projects)} in the repository)")
    return found


def default_branch(root: Path) -> tuple[str, str] | None:
    """(branch, how it was found): the remote's HEAD, else main/master if one exists, else the current branch."""
    remote = _git(root, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD")
    if remote and "/" in remote:
        return remote.split("/", 1)[1], "the remote's default branch, origin/HEAD"
    for name in ("main", "master"):
        if _git(root, "rev-parse", "--verify", "--quiet", f"refs/heads/{name}") is not None:
            return name, f"the local branch {name}"
    current = _git(root, "symbolic-ref", "--quiet", "--short", "HEAD")
    if current:
        return current, "the branch checked out now"
    return None


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=_GIT_TIMEOUT,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _python_install(root: Path, default: str, found: Detection) -> None:
    import tomllib

    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return  # no pyproject.toml (or not ours to judge): keep the default
    extras = (data.get("project") or {}).get("optional-dependencies") or {}
    if not isinstance(extras, dict) or "test" in extras or ".[test]" not in default:
        return
    for name in ("tests", "testing", "dev"):
        if name in extras:
            found.set("INSTALL_COMMAND", default.replace(".[test]", f".[{name}]"),
                      f"pyproject.toml declares the extra [{name}], not [test]")
            return
    found.set("INSTALL_COMMAND", default.replace("-e '.[test]'", "-e . pytest"),
              "pyproject.toml declares no test extra, so pytest is installed by name")


def _find(root: Path, suffixes: tuple[str, ...], depth: int) -> list[str]:
    hits: list[str] = []
    base = len(root.parts)
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        if len(Path(folder).parts) - base >= depth:
            dirs[:] = []
        hits += sorted((Path(folder) / f).relative_to(root).as_posix() for f in files if f.endswith(suffixes))
    return sorted(hits, key=lambda p: (p.count("/"), p))


def still_to_provide(root: Path, stack: str, values: dict[str, str]) -> list[str]:
    """What the rendered workflow runs or reads that the repository does not have, one line each."""
    todo: list[str] = []
    for name, value in values.items():
        for word in _words(value):
            if word.startswith("./") and not (root / word).exists():
                todo.append(f"{name} runs {word}, which does not exist: write it, or --set {name}=...")
    if stack == "nodejs":
        todo += _node(root, values)
    if stack == "dotnet" and values.get("PROJECT") and not (root / values["PROJECT"]).exists():
        todo.append(f"PROJECT is {values['PROJECT']}, which does not exist: --set PROJECT=path/to/App.csproj")
    if stack == "go" and not (root / "go.mod").is_file():
        todo.append("there is no go.mod: the Go jobs need a module (`go mod init`)")
    if stack == "python" and not any((root / name).is_file() for name in ("pyproject.toml", "setup.py", "setup.cfg")):
        todo.append("there is no pyproject.toml (or setup.py): INSTALL_COMMAND and BUILD_COMMAND need one")
    return todo


def _node(root: Path, values: dict[str, str]) -> list[str]:
    try:
        package = json.loads((root / "package.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return ["there is no readable package.json: the Node.js jobs need one"]
    scripts = package.get("scripts") if isinstance(package, dict) else None
    scripts = scripts if isinstance(scripts, dict) else {}
    todo = []
    for name, value in values.items():
        words = _words(value)
        for index, word in enumerate(words):
            script = None
            if word == "npm" and index + 1 < len(words) and words[index + 1] == "test":
                script, shown = "test", "npm test"
            elif word == "npm" and words[index + 1: index + 3][:1] == ["run"] and index + 2 < len(words):
                script, shown = words[index + 2], f"npm run {words[index + 2]}"
            if script and script not in scripts and "--if-present" not in words:
                todo.append(f"{name} runs `{shown}`, but package.json has no \"{script}\" script: add it, or --set {name}=...")
        if "tsc" in words and not (root / "tsconfig.json").is_file():
            todo.append(f"{name} runs tsc, but there is no tsconfig.json: add one, or --set {name}=...")
    if "npm ci" in " ".join(values.values()) and not (root / "package-lock.json").is_file():
        todo.append("`npm ci` needs a committed package-lock.json (run `npm install` once and commit it)")
    return todo


def _words(value: str) -> list[str]:
    try:
        return shlex.split(value.replace("&&", " ; ").replace("|", " ; "))
    except ValueError:
        return value.split()

"""Checking every file that configures flowops in a project, for ``flowops doctor``.

Each file has its own reader, which raises on the first error when a command needs the
file; here every reader runs in its reporting mode so that one ``doctor`` run names
every broken file at once, with its line: ``.flowops/config.toml`` (or ``[tool.flowops]``
in ``pyproject.toml``), ``.flowops/workflow.yml``, ``.flowops/hooks.yaml`` and the
backlog's ``config.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flowops.errors import ConfigError, Problem

if TYPE_CHECKING:
    from flowops.project import Project


@dataclass(frozen=True)
class FileProblem:
    """A problem of one configuration file; ``kind`` names the file's role (config, workflow, ...)."""

    kind: str
    problem: Problem


def check_project_files(project: Project, backlog_dir: Any = None) -> list[FileProblem]:
    """Every problem, errors and warnings, of the project's configuration files, file by file."""
    found: list[FileProblem] = []
    found += [FileProblem("config", p) for p in _config(project)]
    found += [FileProblem("workflow", p) for p in _workflow(project)]
    found += [FileProblem("hooks", p) for p in _hooks(project)]
    if backlog_dir is not None:
        from flowops.backlog.config import check_backlog_config

        path = backlog_dir / "config.yml"
        found += [FileProblem("backlog-config", p) for p in check_backlog_config(path, project.relpath(path))]
    return found


def _config(project: Project) -> list[Problem]:
    from flowops.config import CONFIG_FILE, PYPROJECT, load_config, toml_error_line

    try:
        load_config(project.root)
    except ConfigError as exc:
        return [Problem(exc.message, exc.path, exc.line, exc.field)]
    if (project.root / CONFIG_FILE).is_file():
        return []
    # config_location passes over a pyproject.toml it cannot parse (it may not be ours);
    # one that mentions [tool.flowops] is ours, and then a syntax error hides our settings.
    pyproject = project.root / PYPROJECT
    from flowops.safeio import read_config

    try:
        text = read_config(pyproject, project.root, 4 * 1024 * 1024).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    if "tool.flowops" not in text:
        return []
    import tomllib

    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return [Problem(f"invalid TOML, so its [tool.flowops] settings are ignored: {exc}", PYPROJECT,
                        toml_error_line(exc))]
    return []


def _workflow(project: Project) -> list[Problem]:
    from flowops.workflow.validate import check_file

    report = check_file(project)
    return [] if report.default else list(report.problems)


def _hooks(project: Project) -> list[Problem]:
    from flowops.events.handlers import handler_types
    from flowops.events.hooksfile import read_hooks

    try:
        types = handler_types(project)
    except ConfigError:
        # A broken config.toml (reported above) must not hide the hooks file's problems:
        # check it against the handler types of a manager built without the config.
        from flowops.plugins import build_plugins

        types = {}
        for item in build_plugins().collect("register_handler_types"):
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
                types.setdefault(item[0], item[1])
    try:
        return list(read_hooks(project, types).problems)
    except ConfigError as exc:
        return [Problem(exc.message, exc.path, exc.line, exc.field)]

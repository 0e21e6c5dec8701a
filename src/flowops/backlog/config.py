"""The backlog's own settings (``config.yml``), read the way Backlog.md 1.52 reads them.

Backlog.md reads this file line by line (``key: value``), with list values in flow
style; so does this module, without a YAML parser.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_STATUSES = ["To Do", "In Progress", "Done"]


@dataclass
class BacklogConfig:
    """backlog/config.yml's settings, with Backlog.md's defaults for what it leaves out."""

    project_name: str = ""
    statuses: list[str] = field(default_factory=lambda: list(DEFAULT_STATUSES))
    default_status: str | None = None
    labels: list[str] = field(default_factory=list)
    priorities: list[str] | None = None
    types: list[str] | None = None
    default_assignee: list[str] | None = None
    default_reporter: str | None = None
    definition_of_done: list[str] | None = None
    task_prefix: str = "task"
    zero_padded_ids: int = 0
    date_format: str = "yyyy-mm-dd"
    path: Path | None = None

    @property
    def initial_status(self) -> str:
        return self.default_status or (self.statuses[0] if self.statuses else "To Do")

    @property
    def done_status(self) -> str:
        """The terminal status: "Done" when configured, else the last one."""
        for status in self.statuses:
            if status.lower() == "done":
                return status
        return self.statuses[-1] if self.statuses else "Done"

    def canonical_status(self, text: str) -> str | None:
        """The configured spelling of ``text`` (case-insensitive), or None."""
        for status in self.statuses:
            if status.lower() == text.strip().lower():
                return status
        return None


def _assignees(value: str, unquoted: str) -> list[str] | None:
    return _flow_list(value) if value.startswith("[") else ([unquoted] if unquoted else None)


# Each key Backlog.md reads, named as its BacklogConfig attribute: how its value is read
# from the raw text and the text without quotes.
_READERS: dict[str, Callable[[str, str], object]] = {
    "project_name": lambda value, unquoted: unquoted,
    "default_status": lambda value, unquoted: unquoted or None,
    "statuses": lambda value, unquoted: _flow_list(value) or list(DEFAULT_STATUSES),
    "labels": lambda value, unquoted: _flow_list(value),
    "priorities": lambda value, unquoted: _flow_list(value) or None,
    "types": lambda value, unquoted: _flow_list(value) or None,
    "default_assignee": _assignees,
    "default_reporter": lambda value, unquoted: unquoted or None,
    "definition_of_done": lambda value, unquoted: _flow_list(value),
    "task_prefix": lambda value, unquoted: unquoted.lower() or "task",
    "zero_padded_ids": lambda value, unquoted: max(0, int(value)),
    "date_format": lambda value, unquoted: unquoted,
}


def read_backlog_config(path: Path, root: Path | None = None) -> BacklogConfig:
    """Read ``path`` if it exists (missing: defaults).

    Only a regular file (inside ``root`` when given) is read; a FIFO, a device, a file over
    1 MiB or a link out of the repository is a ConfigError naming it.
    """
    from flowops.safeio import RefusedFile, read_config

    config = BacklogConfig(path=path if path.exists() else None)
    try:
        text = read_config(path, root if root is not None else path.parent, 1024 * 1024, what="config.yml").decode("utf-8")
    except RefusedFile as exc:
        from flowops.errors import ConfigError

        raise ConfigError(f"cannot read: {exc.reason}", path=str(path), hint="make it a regular file inside the repository") from None
    except (OSError, UnicodeDecodeError):
        return config
    for raw in text.split("\n"):
        line = raw.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        reader = _READERS.get(key)
        if reader is None:
            continue
        # A value Backlog.md could not read either (zero_padded_ids: "x") keeps the default.
        with contextlib.suppress(ValueError):
            setattr(config, key, reader(value, value.replace('"', "").replace("'", "")))
    return config


def check_backlog_config(path: Path, shown: str) -> list:
    """The problems of a backlog ``config.yml`` both tools would trip over (``flowops doctor``).

    Backlog.md reads the file line by line, so its YAML is never "invalid"; what goes
    wrong is a file that cannot be read, a default status that is none of the statuses
    (new tasks land in no board column), a repeated status, or a non-numeric id padding.
    """
    from flowops.errors import Problem

    if not path.is_file():
        return []
    from flowops.errors import ConfigError
    from flowops.safeio import read_config

    try:
        text = read_config(path, path.parent, 1024 * 1024, what="config.yml").decode("utf-8")
        config = read_backlog_config(path)
    except ConfigError as exc:
        return [Problem(exc.message, shown)]
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(f"cannot be read: {exc}", shown)]
    problems: list = []
    lines = {raw.partition(":")[0].strip(): n for n, raw in enumerate(text.split("\n"), 1) if ":" in raw}
    lowered = [status.lower() for status in config.statuses]
    repeated = sorted({status for status in config.statuses if lowered.count(status.lower()) > 1})
    if repeated:
        problems.append(Problem(f"statuses repeat {', '.join(repeated)}", shown, lines.get("statuses"), "statuses"))
    if config.default_status and config.default_status.lower() not in lowered:
        problems.append(Problem(
            f"default_status '{config.default_status}' is not one of the statuses ({', '.join(config.statuses)})",
            shown, lines.get("default_status"), "default_status",
        ))
    if "zero_padded_ids" in lines:
        value = text.split("\n")[lines["zero_padded_ids"] - 1].partition(":")[2].strip()
        if not value.isdigit():
            problems.append(Problem(f"zero_padded_ids must be a whole number, not {value!r}", shown,
                                    lines["zero_padded_ids"], "zero_padded_ids"))
    return problems


# A flow list of plain double-quoted strings (no escapes, no control characters), the way
# Backlog.md writes them: read without importing json (~1.3 ms of every command that reads
# config.yml), with the same result json.loads gives for it.
_PLAIN_ITEM = r'"[^"\\\x00-\x1f]*"'
_PLAIN_FLOW_LIST = re.compile(rf"\[[ \t\n\r]*(?:{_PLAIN_ITEM}(?:[ \t\n\r]*,[ \t\n\r]*{_PLAIN_ITEM})*[ \t\n\r]*)?\]")
_PLAIN_ITEMS = re.compile(r'"([^"\\\x00-\x1f]*)"')


def _flow_list(value: str) -> list[str]:
    value = value.strip()
    if not value.startswith("["):
        return [value.strip("'\"")] if value else []
    if _PLAIN_FLOW_LIST.fullmatch(value):
        return _PLAIN_ITEMS.findall(value)
    import json

    try:
        items = json.loads(value)
        if isinstance(items, list):
            return [str(item) for item in items]
    except ValueError:
        pass
    inner = value.strip("[]")
    return [part.strip().strip("'\"") for part in inner.split(",") if part.strip()]


def default_config_text(project_name: str) -> str:
    """What ``backlog init --defaults`` writes, so both tools start from the same file."""
    name = project_name.replace('"', "")
    return (
        f'project_name: "{name}"\n'
        'default_status: "To Do"\n'
        'statuses: ["To Do", "In Progress", "Done"]\n'
        "labels: []\n"
        "date_format: yyyy-mm-dd\n"
        "max_column_width: 20\n"
        "auto_open_browser: true\n"
        "default_port: 6420\n"
        "remote_operations: true\n"
        "auto_commit: false\n"
        "filesystem_only: false\n"
        "bypass_git_hooks: false\n"
        "check_active_branches: true\n"
        "active_branch_days: 30\n"
        'task_prefix: "task"\n'
    )

"""flowops settings: ``.flowops/config.toml`` or ``[tool.flowops]`` in ``pyproject.toml``.

The schema is a table of known keys with their types and defaults; an unknown key or a
wrong type is a ConfigError naming the file and the key, so a typo never passes silently.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowops.errors import ConfigError

CONFIG_FILE = ".flowops/config.toml"
PYPROJECT = "pyproject.toml"

# key -> (type description, checker, default). Dotted keys are tables.
_SCHEMA: dict[str, tuple[str, type | tuple, Any]] = {
    "require_checked_ac_for_done": ("true or false", bool, None),
    "default_assignee": ("a string", str, None),
    "plugins.load": ("a list of plugin names", list, None),
    "plugins.disable": ("a list of plugin names", list, []),
    "operate.alerts": ("a list of alert rule file paths", list, []),
    "operate.playbooks": ("a list of playbook names", list, ["sre"]),
    "operate.spec_id": ("a string", str, None),
    "operate.files": ("a list of repository paths", list, []),
    "operate.assignee": ("a string", str, "@sre-agent"),
    "events.source": ("a string", str, None),
    "discover.include": ("a list of globs", list, []),
    "discover.exclude": ("a list of globs", list, []),
    "slo.specs": ("a list of SLO spec file paths", list, []),
    "slo.output": ("a string (the generated rules file)", str, None),
    "slo.default_period": ("a string (a duration such as 30d or 4w)", str, "30d"),
    "slo.severity": ('a string ("page-ticket" or "critical-warning")', str, "page-ticket"),
    "slo.runbook_base_url": ("a string (a URL)", str, None),
    "incidents.no_postmortem_severities": ("a list of severities", list, ["warning", "ticket", "info"]),
    "git.hook_budget": ("a number of seconds from 0.1 to 60", (int, float), 2),
}
# Numeric settings and their allowed range (bounds included).
_RANGES: dict[str, tuple[float, float]] = {"git.hook_budget": (0.1, 60)}


@dataclass
class Config:
    """Validated settings plus where they came from (for messages)."""

    values: dict[str, Any] = field(default_factory=dict)
    source: str | None = None

    def get(self, key: str, default: Any = None) -> Any:
        if key in self.values:
            return self.values[key]
        if key in _SCHEMA and _SCHEMA[key][2] is not None:
            return _SCHEMA[key][2]
        return default


def config_location(root: Path) -> tuple[Path, str] | None:
    """Return (file, kind) of the config in use: kind is "toml" or "pyproject"."""
    own = root / CONFIG_FILE
    if own.is_file():
        return own, "toml"
    pyproject = root / PYPROJECT
    if pyproject.is_file():
        try:
            data = tomllib.loads(_read(pyproject, root))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
            return None
        if "flowops" in data.get("tool", {}):
            return pyproject, "pyproject"
    return None


def load_config(root: Path) -> Config:
    """Read and validate the project's settings; absent config means all defaults."""
    location = config_location(root)
    if location is None:
        return Config()
    path, kind = location
    rel = path.relative_to(root).as_posix()
    try:
        data = tomllib.loads(_read(path, root))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=rel, line=toml_error_line(exc), hint="fix the syntax and rerun") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=rel) from None
    if kind == "pyproject":
        data = data.get("tool", {}).get("flowops", {})
        prefix = "tool.flowops."
    else:
        prefix = ""
    values: dict[str, Any] = {}
    _flatten(data, "", values)
    for key, value in values.items():
        if key not in _SCHEMA:
            known = ", ".join(sorted(_SCHEMA))
            raise ConfigError(f"unknown setting '{prefix}{key}'", path=rel, field=prefix + key, hint=f"known settings: {known}")
        description, kind_type, _default = _SCHEMA[key]
        wrong = not isinstance(value, kind_type) or (kind_type is list and not all(isinstance(v, str) for v in value))
        if key in _RANGES:
            low, high = _RANGES[key]
            wrong = wrong or isinstance(value, bool) or not low <= value <= high
        if wrong:
            raise ConfigError(f"'{prefix}{key}' must be {description}, not {value!r}", path=rel, field=prefix + key)
    return Config(values, rel)


def _read(path: Path, root: Path) -> str:
    """A settings file's text: a regular file inside the repository, at most 4 MiB (pyproject.toml included)."""
    from flowops.safeio import read_config

    return read_config(path, root, 4 * 1024 * 1024).decode("utf-8")


def toml_error_line(exc: Exception) -> int | None:
    """The line of a TOML syntax error (tomllib names it only in the message before Python 3.14)."""
    line = getattr(exc, "lineno", None)
    if line:
        return int(line)
    import re

    match = re.search(r"at line (\d+)", str(exc))
    return int(match.group(1)) if match else None


def _flatten(data: dict, prefix: str, out: dict) -> None:
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and not any(k == dotted for k in _SCHEMA):
            _flatten(value, dotted + ".", out)
        else:
            out[dotted] = value

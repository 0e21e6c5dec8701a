"""flowops settings: ``.flowops/config.toml`` or ``[tool.flowops]`` in ``pyproject.toml``.

``SETTINGS`` is the table of known keys: what each must be (in words and as a JSON Schema)
and its default. ``config_schema`` turns it into the JSON Schema of the file, checked by
``flowops.schema``: an unknown key or a wrong value is a ConfigError naming the file and the
key, so a typo never passes silently. Settings are read by nearly every command, git hooks
and ``hooks emit`` included, so a file that passed is remembered by its SHA-256
(``flowops.cachedir.VerdictCache``) and jsonschema is imported only for a changed file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowops.errors import ConfigError

CONFIG_FILE = ".flowops/config.toml"
PYPROJECT = "pyproject.toml"
VERDICT_NAME = "config-verdict.json"

_TEXT: dict[str, Any] = {"type": "string"}
_TEXTS: dict[str, Any] = {"type": "array", "items": {"type": "string"}}


@dataclass(frozen=True)
class Setting:
    """One key: what it must be, in words (for messages) and as a JSON Schema, and its default."""

    description: str
    schema: dict[str, Any]
    default: Any = None


# Dotted keys are TOML tables: "operate.alerts" is `alerts` in `[operate]`.
SETTINGS: dict[str, Setting] = {
    "require_checked_ac_for_done": Setting("true or false", {"type": "boolean"}),
    "default_assignee": Setting("a string", _TEXT),
    "plugins.load": Setting("a list of plugin names", _TEXTS),
    "plugins.disable": Setting("a list of plugin names", _TEXTS, []),
    "operate.alerts": Setting("a list of alert rule file paths", _TEXTS, []),
    "operate.playbooks": Setting("a list of playbook names", _TEXTS, ["sre"]),
    "operate.spec_id": Setting("a string", _TEXT),
    "operate.files": Setting("a list of repository paths", _TEXTS, []),
    "operate.assignee": Setting("a string", _TEXT, "@sre-agent"),
    "events.source": Setting("a string", _TEXT),
    "discover.include": Setting("a list of globs", _TEXTS, []),
    "discover.exclude": Setting("a list of globs", _TEXTS, []),
    "slo.specs": Setting("a list of SLO spec file paths", _TEXTS, []),
    "slo.output": Setting("a string (the generated rules file)", _TEXT),
    "slo.default_period": Setting("a string (a duration such as 30d or 4w)", _TEXT, "30d"),
    "slo.severity": Setting('a string ("page-ticket" or "critical-warning")', _TEXT, "page-ticket"),
    "slo.runbook_base_url": Setting("a string (a URL)", _TEXT),
    "incidents.no_postmortem_severities": Setting("a list of severities", _TEXTS, ["warning", "ticket", "info"]),
    "git.hook_budget": Setting("a number of seconds from 0.1 to 60", {"type": "number", "minimum": 0.1, "maximum": 60}, 2),
}


@dataclass
class Config:
    """Validated settings plus where they came from (for messages)."""

    values: dict[str, Any] = field(default_factory=dict)
    source: str | None = None

    def get(self, key: str, default: Any = None) -> Any:
        if key in self.values:
            return self.values[key]
        if key in SETTINGS and SETTINGS[key].default is not None:
            return SETTINGS[key].default
        return default


def config_schema(prefix: str = "") -> dict[str, Any]:
    """The JSON Schema of the settings (``prefix``: "tool.flowops." inside pyproject.toml), messages included."""
    tables: dict[str, dict[str, Any]] = {"": {}}
    for key in SETTINGS:
        table, _, _name = key.rpartition(".")
        tables.setdefault(table, {})

    def table_schema(table: str) -> dict[str, Any]:
        dotted = f"{table}." if table else ""
        properties: dict[str, Any] = {}
        for key, setting in SETTINGS.items():
            if key.rpartition(".")[0] == table:
                properties[key.rpartition(".")[2]] = _value_schema(prefix + key, setting)
        for sub in tables:
            if sub and sub.rpartition(".")[0] == table:
                name = sub.rpartition(".")[2]
                properties[name] = table_schema(sub)
                properties[name]["x-messages"] = {"type": f"'{prefix}{sub}' must be a table of settings, not {{value!r}}"}
        return {"type": "object", "properties": properties,
                # flowops.schema's unknown_keys, spelt out: building the schema (to check a
                # remembered verdict) must not import that module on every command.
                "propertyNames": {"enum": list(properties), "x-message": f"unknown setting '{prefix}{dotted}{{value}}'"}}

    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **table_schema("")}


def _value_schema(shown: str, setting: Setting) -> dict[str, Any]:
    schema = {**setting.schema, "x-message": f"'{shown}' must be {setting.description}, not {{value!r}}"}
    if "items" in schema:
        schema["items"] = {**schema["items"], "x-message": f"'{shown}' must be {setting.description}: {{value!r}} is not one"}
    return schema


def config_location(root: Path) -> tuple[Path, str] | None:
    """Return (file, kind) of the config in use: kind is "toml" or "pyproject"."""
    own = root / CONFIG_FILE
    if own.is_file():
        return own, "toml"
    pyproject = root / PYPROJECT
    if pyproject.is_file():
        import tomllib  # here: a project with no settings file never parses TOML (~2.5 ms of each command)

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
    import tomllib

    try:
        text = _read(path, root)
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", path=rel, line=toml_error_line(exc), hint="fix the syntax and rerun") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=rel) from None
    if kind == "pyproject":
        data = data.get("tool", {}).get("flowops", {})
        prefix = "tool.flowops."
    else:
        prefix = ""
    _check(data, prefix, rel, text, root)
    values: dict[str, Any] = {}
    _flatten(data, "", values)
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


def _check(data: dict, prefix: str, rel: str, text: str, root: Path) -> None:
    """Raise ConfigError for the first problem of ``data`` (the others listed under it); remember a clean file."""
    import hashlib  # here, not at the top: most commands of a project without settings never get here

    from flowops.cachedir import VerdictCache, fingerprint, project_cache_dir

    schema = config_schema(prefix)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    schema_fingerprint = fingerprint(schema)
    verdicts = VerdictCache(project_cache_dir(root), VERDICT_NAME)
    if verdicts.passed(digest, schema_fingerprint):
        return
    from flowops.schema import validate

    problems = validate(data, schema, path=rel)
    if not problems:
        verdicts.remember(digest, schema_fingerprint)
        return
    first, rest = problems[0], problems[1:]
    hint = f"known settings: {', '.join(sorted(SETTINGS))}" if first.message.startswith("unknown setting") else None
    raise ConfigError(first.message, path=rel, field=first.field, hint=hint, problems=rest)


def _flatten(data: dict, prefix: str, out: dict) -> None:
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and dotted not in SETTINGS:
            _flatten(value, dotted + ".", out)
        else:
            out[dotted] = value

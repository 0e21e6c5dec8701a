"""``.flowops/hooks.yaml``: the configured event handlers, validated with every problem located.

The file's rules are a JSON Schema (``hooks_schema``; each handler type adds its own part,
``handler_schema``), checked by ``flowops.schema``; what a schema cannot say (duplicate
names, exactly one handler, files on disk, unset variables) is checked in ``_Checker``.
Validation collects all problems at once (each with hook name, field and line) so that
``flowops hooks validate`` can report them together; ``load_hooks`` raises one
ConfigError carrying them all when there is an error. A file that passed the schema is
remembered (``flowops.cachedir.VerdictCache``), so an emit does not import jsonschema again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowops.errors import ConfigError, Problem
from flowops.events import hooks_path, secrets
from flowops.events.handlers import HookConfig

if TYPE_CHECKING:
    from flowops.project import Project
    from flowops.schema import Prefix

CACHE_NAME = "hooks-yaml.json"  # in the user's cache folder (flowops.cachedir), never in the repository
VERDICT_NAME = "hooks-yaml-verdict.json"
VERSION = 1
TIMEOUT_RANGE = (1, 600)
FAIL_MODES = ("continue", "stop")
# What a hook does when a ${VAR} it uses (or its secret_env) is not set: fail the delivery
# (and queue it for replay), or skip it quietly, for variables that only CI sets.
WHEN_UNSET = ("fail", "skip")
DEFAULT_TIMEOUT = 30
DEFAULT_FAIL_MODE = "continue"
DEFAULTS: dict[str, Any] = {"timeout": DEFAULT_TIMEOUT, "fail_mode": DEFAULT_FAIL_MODE}

NAME_PATTERN = r"\A[a-z0-9][a-z0-9_-]*\Z"
EVENT_PATTERN = r"\A[a-z0-9_.*?\[\]!-]+\Z"
TOP_KEYS = ("version", "defaults", "hooks")
HOOK_KEYS = ("name", "description", "events", "filter", "timeout", "fail_mode", "when_unset")


@dataclass
class Hook:
    """One validated entry of hooks.yaml."""

    name: str
    events: list[str]
    type: str
    config: HookConfig
    filter: dict = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    fail_mode: str = DEFAULT_FAIL_MODE
    line: int | None = None
    when_unset: str = "fail"
    variables: tuple[str, ...] = ()  # environment variables the hook needs (${VAR} and secret_env)

    def unset_variables(self, environ: Mapping[str, str]) -> list[str]:
        """The variables this hook needs that ``environ`` does not set."""
        return [name for name in self.variables if name not in environ]

    def describe(self, handler_type: Any = None) -> str:
        if handler_type is not None and hasattr(handler_type, "describe"):
            try:
                return str(handler_type.describe(self.config))
            except Exception:  # a plugin's describe() must not break `hooks list`
                pass
        return self.type


@dataclass
class HooksFile:
    """The loaded file: its hooks in order, and every problem found (errors and warnings)."""

    path: str
    hooks: list[Hook] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    exists: bool = True
    secrets: list[str] = field(default_factory=list)  # every configured secret value (secrets.configured)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def get(self, name: str) -> Hook | None:
        return next((hook for hook in self.hooks if hook.name == name), None)


def load_hooks(project: Project, types: Mapping[str, Any], **options: Any) -> HooksFile:
    """Read and validate hooks.yaml; a missing file means no hooks (options: see ``read_hooks``).

    Raises ConfigError listing every error; warnings stay in ``.problems``.
    """
    result = read_hooks(project, types, **options)
    if result.errors:
        count = len(result.errors)
        raise ConfigError(
            f"{count} problem{'s' if count != 1 else ''} in hooks configuration",
            path=result.path,
            problems=result.errors,
            hint="run `flowops hooks validate` for the full report",
        )
    return result


def read_hooks(
    project: Project,
    types: Mapping[str, Any],
    *,
    file: str | os.PathLike | None = None,
    check_env: bool = False,
    environ: Mapping[str, str] | None = None,
) -> HooksFile:
    """Read and validate hooks.yaml (or ``file``), returning the problems instead of raising.

    With ``check_env`` an unset ``${VAR}`` is an error too (``flowops hooks validate``);
    otherwise it surfaces when that handler is delivered to.
    """
    root = Path(project.root)
    target = Path(file) if file is not None else hooks_path(project)
    if not target.is_absolute():
        target = Path.cwd() / target if file is not None else root / target
    shown = project.relpath(target)
    if not target.is_file():
        if file is not None:
            raise ConfigError("file not found", path=shown)
        return HooksFile(shown, exists=False)

    data, where, digest = _parse(project, target, shown, cache=file is None)
    env = os.environ if environ is None else environ
    checker = _Checker(shown, where, root, types, env, check_env)
    hooks = checker.check_document(data, _schema_problems(project, data, where, shown, types, digest, cache=file is None))
    values, short = secrets.configured(data, env)
    warning = secrets.short_secret_warning(short)
    if warning:
        checker.problems.append(Problem(warning, shown, severity="warning"))
    return HooksFile(shown, hooks, checker.problems, secrets=values)


def configured_secrets(project: Project, environ: Mapping[str, str] | None = None) -> list[str]:
    """The secret values hooks.yaml configures, read without validating it (none when it is missing or broken)."""
    target = hooks_path(project)
    if not target.is_file():
        return []
    try:
        data, _where, _digest = _parse(project, target, project.relpath(target), cache=True)
    except ConfigError:
        return []
    return secrets.configured(data, environ)[0]


def _schema_problems(project: Project, data: Any, where: Any, shown: str, types: Mapping[str, Any], digest: str, *,
                     cache: bool) -> list[tuple[tuple, Problem]]:
    """(field path, problem) for every schema problem; none without validating when this file passed before."""
    from flowops.cachedir import VerdictCache, fingerprint

    schema = hooks_schema(types)
    verdicts = VerdictCache(_cache_dir(project) if cache else None, VERDICT_NAME)
    schema_fingerprint = fingerprint(schema)
    if verdicts.passed(digest, schema_fingerprint):
        return []
    # Only a changed file gets here: flowops.schema (and with it jsonschema) loads for it alone.
    from flowops.schema import check

    found = check(data, schema, path=shown, locations=where, prefix=_hook_prefix(data))
    if not found:
        verdicts.remember(digest, schema_fingerprint)
    return found


def _parse(project: Project, target: Path, shown: str, *, cache: bool) -> tuple[Any, Any, str]:
    """The YAML data and its line numbers, from the user's cache when the file is unchanged.

    Importing and running the YAML parser costs more than the rest of an emit; the cache
    is keyed by the file's SHA-256, so any edit is seen at once. It lives outside the
    repository (flowops.cachedir): what runs is always what hooks.yaml says, never what a
    file committed next to it claims hooks.yaml said.
    """
    from flowops.safeio import RefusedFile, read_config
    from flowops.yamlfile import MAX_CONFIG_BYTES, Locations, load_yaml

    try:
        raw = read_config(target, Path(project.root), MAX_CONFIG_BYTES)
    except RefusedFile as exc:
        raise ConfigError(f"cannot read: {exc.reason}", path=shown) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc}", path=shown) from None
    digest = hashlib.sha256(raw).hexdigest()
    cache_dir = _cache_dir(project)
    cache_file = cache_dir / CACHE_NAME if cache and cache_dir is not None else None
    if cache_file is not None:
        try:
            cached = json.loads(cache_file.read_text(encoding="utf-8"))
            if cached["sha256"] == digest and cached["path"] == shown:
                return cached["data"], Locations(shown, {tuple(key): line for key, line in cached["lines"]}), digest
        except (OSError, ValueError, KeyError, TypeError):
            pass
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"cannot read: {exc}", path=shown) from None
    data, where = load_yaml(text, shown)
    if cache_file is not None:
        _store(cache_file, digest, shown, data, where)
    return data, where, digest


def _cache_dir(project: Project) -> Path | None:
    folder = getattr(project, "cache_dir", None)
    if folder is None and not hasattr(project, "cache_dir"):
        from flowops.cachedir import project_cache_dir

        folder = project_cache_dir(project.root)
    return folder


def _store(cache_file: Path, digest: str, shown: str, data: Any, where: Any) -> None:
    entry = {"sha256": digest, "path": shown, "data": data, "lines": [[list(key), line] for key, line in where.lines.items()]}
    try:
        text = json.dumps(entry, ensure_ascii=False)
        # Only data that survives JSON unchanged is cached (YAML dates, non-string keys do not).
        if json.loads(text)["data"] != data:
            return
        from flowops.atomic import atomic_write_text
        from flowops.cachedir import ensure

        if ensure(cache_file.parent):
            atomic_write_text(cache_file, text)
    except (OSError, TypeError, ValueError):
        pass  # the cache is an optimisation only


def hooks_schema(types: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON Schema of hooks.yaml for these handler types (each type adds its part, see ``handler_schema``)."""
    low, high = TIMEOUT_RANGE
    timeout = {"type": "number", "minimum": low, "maximum": high,
               "x-message": f"timeout must be a number of seconds from {low} to {high}, not {{value!r}}"}
    fail_mode = {"enum": list(FAIL_MODES), "x-message": f"fail_mode must be one of {', '.join(FAIL_MODES)}, not {{value!r}}"}
    known = ", ".join([*HOOK_KEYS, *sorted(types)])
    properties: dict[str, Any] = {
        "name": {"type": "string", "pattern": NAME_PATTERN,
                 "x-message": "name must be a slug such as notify-deploy (lower-case letters, digits, - and _), not {value!r}"},
        "description": {},
        "events": {"type": "array", "minItems": 1,
                   "x-message": 'events must be a non-empty list of event name patterns such as ["deploy.*"]',
                   "items": {"type": "string", "pattern": EVENT_PATTERN,
                             "x-message": "{value!r} is not an event pattern (lower-case names with * ? [] globs, e.g. deploy.*)"}},
        "filter": {"type": ["object", "null"], "x-message": "filter must be a mapping of data fields to values",
                   "propertyNames": {"type": "string", "x-message": "filter keys must be data field names, not {value!r}"},
                   "patternProperties": {"_(any|all)\\Z": {"type": "array", "x-message": "{key} must be a list of values"}}},
        "timeout": timeout,
        "fail_mode": fail_mode,
        "when_unset": {"enum": list(WHEN_UNSET), "x-message": f"when_unset must be one of {', '.join(WHEN_UNSET)}, not {{value!r}}"},
    }
    by_type = []
    keys = [*HOOK_KEYS]
    for name, handler_type in sorted(types.items()):
        own = handler_schema(handler_type, name)
        keys += [name, *own.get("properties", {}), *(getattr(handler_type, "extra_keys", ()) or ())]
        by_type.append({"if": {"required": [name]}, "then": own})
    hook = {
        "type": "object",
        "x-messages": {"type": "each hook must be a mapping with name, events and a handler (command, webhook, ...)"},
        "properties": properties,
        "required": ["name", "events"],
        "propertyNames": _unknown_keys(dict.fromkeys(keys), f"unknown key '{{value}}' (known: {known})"),
        "allOf": by_type,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "x-messages": {"type": "the file must be a mapping with version, defaults and hooks"},
        "properties": {
            "version": {"const": VERSION, "x-message": f"version must be {VERSION}, found {{found}}"},
            "defaults": {"type": ["object", "null"], "x-messages": {"type": "defaults must be a mapping (timeout, fail_mode)"},
                         "properties": {"timeout": timeout, "fail_mode": fail_mode},
                         "propertyNames": _unknown_keys(DEFAULTS, "unknown key '{value}' in defaults (known: timeout, fail_mode)")},
            "hooks": {"type": ["array", "null"], "x-message": "hooks must be a list of handlers", "items": hook},
        },
        "required": ["version"],
        "propertyNames": _unknown_keys(TOP_KEYS, f"unknown key '{{value}}' (known: {', '.join(TOP_KEYS)})"),
    }


def _unknown_keys(known: Any, message: str) -> dict[str, Any]:
    # flowops.schema.unknown_keys, spelt out: building the schema must not import that module.
    return {"enum": list(known), "x-message": message}


def handler_schema(handler_type: Any, name: str) -> dict[str, Any]:
    """What a handler type says about the hooks that use it: its ``schema`` (a JSON Schema of the hook mapping).

    A type without one (older plugins) constrains nothing here; its ``validate`` still runs.
    """
    schema = getattr(handler_type, "schema", None)
    if callable(schema):
        schema = schema()
    return dict(schema) if isinstance(schema, Mapping) else {}


class _Checker:
    """Validates a loaded hooks.yaml: the JSON Schema first, then what a schema cannot say.

    The schema (``hooks_schema``) covers shapes, types, ranges and unknown keys; here remain
    the rules across entries and beyond the file: duplicate names, exactly one handler, keys
    of another handler type, a type's own ``validate`` (files on disk) and, on request,
    unset environment variables.
    """

    def __init__(self, path: str, where: Any, root: Path, types: Mapping[str, Any], environ: Mapping[str, str],
                 check_env: bool):
        self.path = path
        self.where = where
        self.root = root
        self.types = types
        self.environ = environ
        self.check_env = check_env
        self.problems: list[Problem] = []

    def add(self, field_path: tuple, message: str, *, hook: str | None = None, severity: str = "error") -> None:
        if hook:
            message = f"hook '{hook}': {message}"
        self.problems.append(
            Problem(message, self.path, self.where.line(*field_path), self.where.dotted(field_path) or None, severity)
        )

    def check_document(self, data: Any, schema_problems: list[tuple[tuple, Problem]]) -> list[Hook]:
        """The valid hooks of ``data``; every problem (the schema's ones included) lands in ``problems``."""
        by_hook: dict[int | None, list[Problem]] = {}
        for field_path, problem in schema_problems:
            index = field_path[1] if len(field_path) > 1 and field_path[0] == "hooks" and isinstance(field_path[1], int) else None
            by_hook.setdefault(index, []).append(problem)
        self.problems.extend(by_hook.pop(None, []))
        if data is None:
            data = {}
        raw_hooks = data.get("hooks") if isinstance(data, dict) else None
        defaults = dict(DEFAULTS)
        if isinstance(data, dict) and isinstance(data.get("defaults"), dict):
            defaults.update({k: v for k, v in data["defaults"].items() if k in DEFAULTS})
        hooks: list[Hook] = []
        seen: dict[str, int] = {}
        for index, entry in enumerate(raw_hooks if isinstance(raw_hooks, list) else []):
            before = len(self.problems)
            self.problems.extend(by_hook.get(index, []))
            hook = self.check_hook(index, entry, defaults) if isinstance(entry, dict) else None
            name = entry.get("name") if isinstance(entry, dict) else None
            if isinstance(name, str) and name in seen:
                self.add(("hooks", index, "name"), f"duplicate name (first used by hooks[{seen[name]}])", hook=name)
                continue
            if isinstance(name, str):
                seen[name] = index
            if hook is not None and not any(p.severity == "error" for p in self.problems[before:]):
                hooks.append(hook)
        # File order: what the schema found and what was checked here, line by line.
        self.problems.sort(key=lambda p: p.line or 0)
        return hooks

    def check_hook(self, index: int, entry: dict, defaults: dict) -> Hook | None:
        at = ("hooks", index)
        name = entry.get("name")
        hook_name = name if isinstance(name, str) else None
        type_keys = [key for key in entry if key in self.types]
        handler_type = None
        if len(type_keys) != 1:
            known = ", ".join(sorted(self.types)) or "none registered"
            if type_keys:
                self.add(at, f"give exactly one handler, found {', '.join(type_keys)}", hook=hook_name)
            else:
                self.add(at, f"no handler: add one of {known}", hook=hook_name)
        else:
            handler_type = self.types[type_keys[0]]
            own = {type_keys[0], *handler_schema(handler_type, type_keys[0]).get("properties", {}),
                   *(getattr(handler_type, "extra_keys", ()) or ())}
            for key in entry:
                if key not in HOOK_KEYS and key not in own and self._belongs_to_another_type(key):
                    self.add((*at, key), f"'{key}' does not apply to {type_keys[0]} handlers", hook=hook_name)
        timeout = entry.get("timeout", defaults["timeout"])
        fail_mode = entry.get("fail_mode", defaults["fail_mode"])
        when_unset = entry.get("when_unset", "fail")
        config = HookConfig({**entry, "timeout": timeout, "fail_mode": fail_mode}, self.root)
        needed: list[tuple[tuple, str]] = []
        if handler_type is not None:
            self.check_with_type(at, handler_type, config, hook_name)
            needed = _needed_variables(handler_type, entry, config)
            self.check_variables(at, needed, hook_name, skip=when_unset == "skip")
        if handler_type is None or not isinstance(name, str):
            return None
        return Hook(
            name=name,
            events=list(entry.get("events") or []),
            type=type_keys[0],
            config=config,
            filter=dict(entry.get("filter") or {}),
            timeout=timeout,
            fail_mode=fail_mode,
            line=self.where.line(*at),
            when_unset=when_unset,
            variables=tuple(dict.fromkeys(name for _field, name in needed)),
        )

    def _belongs_to_another_type(self, key: str) -> bool:
        for name, other in self.types.items():
            keys = {name, *handler_schema(other, name).get("properties", {}), *(getattr(other, "extra_keys", ()) or ())}
            if key in keys:
                return True
        return False

    def check_with_type(self, at: tuple, handler_type: Any, config: HookConfig, hook: str | None) -> None:
        validate = getattr(handler_type, "validate", None)  # optional: a schema may say everything
        if validate is None:
            return
        try:
            found = validate(config) or []
        except Exception as exc:  # a plugin's validator must not hide the other problems
            found = [f"the handler type's validation failed: {type(exc).__name__}: {exc}"]
        for item in found:
            severity = "error"
            if isinstance(item, tuple) and len(item) == 3:
                field_path, message, severity = item
            elif isinstance(item, tuple):
                field_path, message = item
            else:
                field_path, message = (), str(item)
            if isinstance(field_path, str):
                field_path = (field_path,)
            self.add((*at, *field_path), message, hook=hook, severity=severity)

    def check_variables(self, at: tuple, needed: list[tuple[tuple, str]], hook: str | None, *, skip: bool) -> None:
        if not self.check_env:
            return
        for field_path, name in needed:
            if name not in self.environ:
                if skip:
                    self.add((*at, *field_path), f"environment variable {name} is not set: the hook is skipped "
                             "until it is (when_unset: skip)", hook=hook, severity="warning")
                else:
                    self.add((*at, *field_path), f"environment variable {name} is not set", hook=hook)


def _hook_prefix(data: Any) -> Prefix:
    """``hook 'NAME': `` before the messages about a named hook's fields (its name field aside)."""
    hooks = data.get("hooks") if isinstance(data, dict) else None

    def prefix(field_path: tuple) -> str:
        if len(field_path) > 2 and field_path[0] == "hooks" and isinstance(hooks, list) and field_path[2] != "name":
            index = field_path[1]
            entry = hooks[index] if isinstance(index, int) and 0 <= index < len(hooks) else None
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                return f"hook '{entry['name']}': "
        return ""

    return prefix


def _needed_variables(handler_type: Any, entry: dict, config: HookConfig) -> list[tuple[tuple, str]]:
    """(field path, variable) for every ${VAR} of the hook and every variable its type requires."""
    needed = list(_references(entry))
    extra = getattr(handler_type, "required_env", None)
    if extra is not None:
        with contextlib.suppress(Exception):  # a plugin's required_env must not break validation
            needed += list(extra(config) or [])
    return needed


def _references(value: Any, field_path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _references(item, (*field_path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _references(item, (*field_path, index))
    else:
        for name in secrets.variables_in(value):
            yield field_path, name

"""``.flowops/hooks.yaml``: the configured event handlers, validated with every problem located.

Validation collects all problems at once (each with hook name, field and line) so that
``flowops hooks validate`` can report them together; ``load_hooks`` raises one
ConfigError carrying them all when there is an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping

from flowops.errors import ConfigError, Problem
from flowops.events import secrets
from flowops.events.handlers import HookConfig

HOOKS_FILE = ".flowops/hooks.yaml"
CACHE_NAME = "hooks-yaml.json"  # in the user's cache folder (flowops.cachedir), never in the repository
VERSION = 1
TIMEOUT_RANGE = (1, 600)
FAIL_MODES = ("continue", "stop")
# What a hook does when a ${VAR} it uses (or its secret_env) is not set: fail the delivery
# (and queue it for replay), or skip it quietly, for variables that only CI sets.
WHEN_UNSET = ("fail", "skip")
DEFAULTS = {"timeout": 30, "fail_mode": "continue"}

NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")
PATTERN_RE = re.compile(r"[a-z0-9_.*?\[\]!-]+")
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
    timeout: float = DEFAULTS["timeout"]
    fail_mode: str = DEFAULTS["fail_mode"]
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


def hooks_path(project: Any) -> Path:
    return Path(project.root) / HOOKS_FILE


def load_hooks(project: Any, types: Mapping[str, Any], **options: Any) -> HooksFile:
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
    project: Any,
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

    data, where = _parse(project, target, shown, cache=file is None)
    env = os.environ if environ is None else environ
    checker = _Checker(shown, where, root, types, env, check_env)
    hooks = checker.check_document(data)
    values, short = secrets.configured(data, env)
    warning = secrets.short_secret_warning(short)
    if warning:
        checker.problems.append(Problem(warning, shown, severity="warning"))
    return HooksFile(shown, hooks, checker.problems, secrets=values)


def configured_secrets(project: Any, environ: Mapping[str, str] | None = None) -> list[str]:
    """The secret values hooks.yaml configures, read without validating it (none when it is missing or broken)."""
    target = hooks_path(project)
    if not target.is_file():
        return []
    try:
        data, _where = _parse(project, target, project.relpath(target), cache=True)
    except ConfigError:
        return []
    return secrets.configured(data, environ)[0]


def _parse(project: Any, target: Path, shown: str, *, cache: bool) -> tuple[Any, Any]:
    """The YAML data and its line numbers, from the user's cache when the file is unchanged.

    Importing and running the YAML parser costs more than the rest of an emit; the cache
    is keyed by the file's SHA-256, so any edit is seen at once. It lives outside the
    repository (flowops.cachedir): what runs is always what hooks.yaml says, never what a
    file committed next to it claims hooks.yaml said.
    """
    from flowops.yamlfile import Locations, load_yaml

    from flowops.safeio import RefusedFile, read_config
    from flowops.yamlfile import MAX_CONFIG_BYTES

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
                return cached["data"], Locations(shown, {tuple(key): line for key, line in cached["lines"]})
        except (OSError, ValueError, KeyError, TypeError):
            pass
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"cannot read: {exc}", path=shown) from None
    data, where = load_yaml(text, shown)
    if cache_file is not None:
        _store(cache_file, digest, shown, data, where)
    return data, where


def _cache_dir(project: Any) -> Path | None:
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


class _Checker:
    def __init__(self, path: str, where: Any, root: Path, types: Mapping[str, Any], environ: Mapping[str, str], check_env: bool):
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

    def check_document(self, data: Any) -> list[Hook]:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            self.add((), "the file must be a mapping with version, defaults and hooks")
            return []
        for key in data:
            if key not in TOP_KEYS:
                self.add((key,), f"unknown key '{key}' (known: {', '.join(TOP_KEYS)})")
        if data.get("version") != VERSION:
            found = "missing" if "version" not in data else f"{data.get('version')!r}"
            self.add(("version",), f"version must be {VERSION}, found {found}")
        defaults = self.check_defaults(data.get("defaults"))
        raw_hooks = data.get("hooks", [])
        if raw_hooks is None:
            raw_hooks = []
        if not isinstance(raw_hooks, list):
            self.add(("hooks",), "hooks must be a list of handlers")
            return []
        hooks: list[Hook] = []
        seen: dict[str, int] = {}
        for index, entry in enumerate(raw_hooks):
            hook = self.check_hook(index, entry, defaults)
            name = entry.get("name") if isinstance(entry, dict) else None
            if isinstance(name, str) and name in seen:
                self.add(("hooks", index, "name"), f"duplicate name (first used by hooks[{seen[name]}])", hook=name)
                continue
            if isinstance(name, str):
                seen[name] = index
            if hook is not None:
                hooks.append(hook)
        return hooks

    def check_defaults(self, raw: Any) -> dict:
        defaults = dict(DEFAULTS)
        if raw is None:
            return defaults
        if not isinstance(raw, dict):
            self.add(("defaults",), "defaults must be a mapping (timeout, fail_mode)")
            return defaults
        for key, value in raw.items():
            if key == "timeout":
                if self.check_timeout(("defaults", "timeout"), value):
                    defaults["timeout"] = value
            elif key == "fail_mode":
                if self.check_fail_mode(("defaults", "fail_mode"), value):
                    defaults["fail_mode"] = value
            else:
                self.add(("defaults", key), f"unknown key '{key}' in defaults (known: timeout, fail_mode)")
        return defaults

    def check_timeout(self, at: tuple, value: Any, hook: str | None = None) -> bool:
        low, high = TIMEOUT_RANGE
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            self.add(at, f"timeout must be a number of seconds from {low} to {high}, not {value!r}", hook=hook)
            return False
        return True

    def check_fail_mode(self, at: tuple, value: Any, hook: str | None = None) -> bool:
        if value not in FAIL_MODES:
            self.add(at, f"fail_mode must be one of {', '.join(FAIL_MODES)}, not {value!r}", hook=hook)
            return False
        return True

    def check_hook(self, index: int, entry: Any, defaults: dict) -> Hook | None:
        at = ("hooks", index)
        if not isinstance(entry, dict):
            self.add(at, "each hook must be a mapping with name, events and a handler (command, webhook, ...)")
            return None
        before = len(self.problems)
        name = entry.get("name")
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            self.add((*at, "name"), f"name must be a slug such as notify-deploy (lower-case letters, digits, - and _), not {name!r}")
        hook_name = name if isinstance(name, str) else None

        events = entry.get("events")
        if not isinstance(events, list) or not events:
            self.add((*at, "events"), 'events must be a non-empty list of event name patterns such as ["deploy.*"]', hook=hook_name)
            events = []
        for position, pattern in enumerate(events):
            if not isinstance(pattern, str) or not PATTERN_RE.fullmatch(pattern):
                self.add(
                    (*at, "events", position),
                    f"{pattern!r} is not an event pattern (lower-case names with * ? [] globs, e.g. deploy.*)",
                    hook=hook_name,
                )

        filters = entry.get("filter") or {}
        if not isinstance(filters, dict):
            self.add((*at, "filter"), "filter must be a mapping of data fields to values", hook=hook_name)
            filters = {}
        for key, value in filters.items():
            if not isinstance(key, str):
                self.add((*at, "filter"), f"filter keys must be data field names, not {key!r}", hook=hook_name)
            elif key.endswith(("_any", "_all")) and not isinstance(value, list):
                self.add((*at, "filter", key), f"{key} must be a list of values", hook=hook_name)

        timeout = entry.get("timeout", defaults["timeout"])
        if "timeout" in entry:
            self.check_timeout((*at, "timeout"), timeout, hook_name)
        fail_mode = entry.get("fail_mode", defaults["fail_mode"])
        if "fail_mode" in entry:
            self.check_fail_mode((*at, "fail_mode"), fail_mode, hook_name)
        when_unset = self.check_when_unset(at, entry, hook_name)

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
        allowed = set(HOOK_KEYS) | set(type_keys) | set(getattr(handler_type, "extra_keys", ()) or ())
        for key in entry:
            if key in allowed:
                continue
            if handler_type is not None and any(key in (getattr(t, "extra_keys", ()) or ()) for t in self.types.values()):
                self.add((*at, key), f"'{key}' does not apply to {type_keys[0]} handlers", hook=hook_name)
            else:
                known = ", ".join([*HOOK_KEYS, *sorted(self.types)])
                self.add((*at, key), f"unknown key '{key}' (known: {known})", hook=hook_name)

        config = HookConfig({**entry, "timeout": timeout, "fail_mode": fail_mode}, self.root)
        needed: list[tuple[tuple, str]] = []
        if handler_type is not None:
            self.check_with_type(at, handler_type, config, hook_name)
            needed = _needed_variables(handler_type, entry, config)
            self.check_variables(at, needed, hook_name, skip=when_unset == "skip")
        if any(p.severity == "error" for p in self.problems[before:]):
            return None
        return Hook(
            name=name,
            events=list(events),
            type=type_keys[0],
            config=config,
            filter=dict(filters),
            timeout=timeout,
            fail_mode=fail_mode,
            line=self.where.line(*at),
            when_unset=when_unset,
            variables=tuple(dict.fromkeys(name for _field, name in needed)),
        )

    def check_when_unset(self, at: tuple, entry: dict, hook: str | None) -> str:
        value = entry.get("when_unset", "fail")
        if value not in WHEN_UNSET:
            self.add((*at, "when_unset"), f"when_unset must be one of {', '.join(WHEN_UNSET)}, not {value!r}", hook=hook)
        return value

    def check_with_type(self, at: tuple, handler_type: Any, config: HookConfig, hook: str | None) -> None:
        try:
            found = handler_type.validate(config) or []
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


def _needed_variables(handler_type: Any, entry: dict, config: HookConfig) -> list[tuple[tuple, str]]:
    """(field path, variable) for every ${VAR} of the hook and every variable its type requires."""
    needed = list(_references(entry))
    extra = getattr(handler_type, "required_env", None)
    if extra is not None:
        try:
            needed += list(extra(config) or [])
        except Exception:  # a plugin's required_env must not break validation
            pass
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

"""The event bus: build an event, record it, deliver it, record what happened.

``emit`` is what the CLI, the task commands and the git hooks call. Order of work:
validate the name, files and data; append the event to the audit log; unless delivery is
suppressed, deliver to each matching hooks.yaml handler in file order (a failing
``fail_mode: stop`` handler skips the rest) and then to the plugins' ``on_event``
observers (each isolated); append each delivery result to the audit log; queue failed
deliveries that are worth retrying in the outbox.
"""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowops.errors import ConfigError, NotFoundError, UsageError
from flowops.events import audit, hooks_path
from flowops.events.matching import hook_matches, type_matches
from flowops.events.model import EVENT_NAME_RE, Event, check_event_name, default_source, new_event_id, utc_now
from flowops.events.secrets import redact_data

if TYPE_CHECKING:
    from collections.abc import Callable

    from flowops.events.handlers import DeliveryResult
    from flowops.events.hooksfile import HooksFile
    from flowops.plugins import Plugins
    from flowops.project import Project

RESERVED_DATA = ("spec_id", "task_id", "files")
# How deliveries wait between webhook retries; tests replace it so nothing sleeps.
default_sleep = time.sleep


@dataclass
class EmitReport:
    """What ``emit`` did: the event, one result per handler, and warnings for the user."""

    event: Event
    results: list[DeliveryResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    strict: bool = False
    dry_run: bool = False
    delivered: bool = True  # False with --no-hooks and --dry-run
    stopped_by: str | None = None  # the fail_mode: stop handler that failed
    secrets: list[str] = field(default_factory=list, repr=False)  # masked in every output

    @property
    def failed(self) -> list[DeliveryResult]:
        return [r for r in self.results if not r.ok and not r.skipped]

    @property
    def ok(self) -> bool:
        """True when every handler that had to succeed did (all of them with ``strict``)."""
        if self.stopped_by is not None:
            return False
        return not (self.strict and self.failed)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def to_dict(self) -> dict:
        return {
            "event": redact_data(self.event.to_dict(), self.secrets),
            "ok": self.ok,
            "exit_code": self.exit_code,
            "delivered": self.delivered,
            "dry_run": self.dry_run,
            "stopped_by": self.stopped_by,
            "results": [r.to_dict() for r in self.results],
            "warnings": list(self.warnings),
        }


def emit(
    project: Project,
    type: str,
    *,
    task_id: str | None = None,
    spec_id: str | None = None,
    files: Sequence[str] = (),
    data: Mapping | None = None,
    no_hooks: bool = False,
    dry_run: bool = False,
    strict: bool = False,
) -> EmitReport:
    """Emit one event; see the module docstring for the order of work.

    Raises UsageError (bad name, a file outside the repository, bad data) before
    anything is recorded, and ConfigError for a broken hooks.yaml after the event is
    recorded. Relative ``files`` are relative to the repository root.
    """
    check_event_name(type)
    warnings: list[str] = []
    payload = _event_data(task_id, spec_id, _repository_files(project, files, warnings), data)
    event = Event(
        type=type,
        source=default_source(project),
        id=new_event_id(),
        time=utc_now(),
        subject=payload.get("task_id"),
        data=payload,
    )
    report = EmitReport(event, warnings=warnings, strict=strict, dry_run=dry_run, delivered=not (no_hooks or dry_run))
    if dry_run:
        report.results = plan(project, event)
        return report
    # hooks.yaml is read before the event is recorded, so that no configured secret reaches
    # the log even inside the event's data; a broken file is recorded right after the event.
    loaded, load_error, report.secrets = _load_before_recording(project, no_hooks)
    audit.append(project, [{"kind": "event", "event": redact_data(event.to_dict(), report.secrets)}])
    if no_hooks:
        return report
    if loaded is None:
        _record_load_error(project, event, load_error)
        raise load_error  # type: ignore[misc]  # loaded is None only when loading failed

    plugins, hooks_file, types = loaded
    if hooks_file is not None:
        warnings.extend(str(p) for p in hooks_file.warnings)
    if plugins is not None:
        warnings.extend(str(f) for f in plugins.unreported(f for f in plugins.failures if f.hook in (None, "register_handler_types")))
    for hook in hooks_file.hooks if hooks_file is not None else ():
        if hook_matches(hook, event):
            _deliver_one(project, hook, types, event, report)

    observed = _observe(plugins, event)
    if observed:
        audit.append(project, [delivery_record(event, result) for result in observed])
        report.results.extend(observed)
    return report


def _deliver_one(project: Project, hook: Any, types: Mapping[str, Any], event: Event, report: EmitReport) -> None:
    """Deliver ``event`` to one matching hook of an emit (or skip it), queue and record the result."""
    from flowops.events.handlers import DeliveryResult

    unset = hook.unset_variables(os.environ) if hook.when_unset == "skip" else []
    if report.stopped_by is not None:
        result = DeliveryResult(handler=hook.name, kind=hook.type, skipped=True, note=f"{report.stopped_by} failed with fail_mode: stop")
    elif unset:
        result = DeliveryResult(handler=hook.name, kind=hook.type, skipped=True, note=_unset_note(unset))
    else:
        result = deliver(project, hook, types[hook.type], event, secrets=report.secrets)
        if not result.ok and result.requeue:
            _queue(project, event, result, report.warnings, report.secrets)
        if not result.ok and hook.fail_mode == "stop":
            report.stopped_by = hook.name
    audit.append(project, [delivery_record(event, result)])
    report.results.append(result)


def deliver(
    project: Project, hook: Any, handler_type: Any, event: Event, *, sleep: Any = None, secrets: Sequence[str] = ()
) -> DeliveryResult:
    """Deliver ``event`` to one hook; a raising handler type becomes a failed result.

    ``secrets`` (every value hooks.yaml configures) are masked in the result's error and
    output along with the hook's own: a handler may print another handler's secret.
    """
    from flowops.events.handlers import DeliveryContext, DeliveryResult

    context = DeliveryContext(
        root=Path(project.root), hook=hook.name, timeout=hook.timeout, sleep=sleep or default_sleep, secrets=list(secrets)
    )
    try:
        result = handler_type.deliver(event, hook.config, context)
    except Exception as exc:
        result = DeliveryResult(ok=False, error=f"the {hook.type} handler raised {type(exc).__name__}: {exc}")
    if not isinstance(result, DeliveryResult):
        result = DeliveryResult(ok=False, error=f"the {hook.type} handler returned {result!r} instead of a DeliveryResult")
    result.handler = hook.name
    result.kind = result.kind or hook.type
    # Plugin handler types may not redact: everything shown or recorded is masked here.
    result.error = context.redact(result.error)
    result.note = context.redact(result.note)
    result.stdout = context.redact(result.stdout)
    result.stderr = context.redact(result.stderr)
    return result


def plan(project: Project, event: Event) -> list[DeliveryResult]:
    """The handlers ``event`` would reach, as skipped results (``--dry-run``)."""
    from flowops.events.handlers import DeliveryResult

    plugins, hooks_file, types = _load(project)
    planned = [
        DeliveryResult(handler=hook.name, kind=hook.type, skipped=True, note=_planned_note(hook, types))
        for hook in (hooks_file.hooks if hooks_file is not None else ())
        if hook_matches(hook, event)
    ]
    planned += [
        DeliveryResult(handler=name, kind="python", skipped=True, note="dry run: would call on_event")
        for name in (observers(plugins) if plugins is not None else [])
    ]
    return planned


def _unset_note(names: list[str]) -> str:
    return f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} not set (when_unset: skip)"


def _planned_note(hook: Any, types: Mapping[str, Any]) -> str:
    unset = hook.unset_variables(os.environ) if hook.when_unset == "skip" else []
    if unset:
        return f"dry run: would skip: {_unset_note(unset)}"
    return f"dry run: would run {hook.describe(types.get(hook.type))}"


def try_handler(project: Project, name: str, type: str | None = None, *,
                sleep: Callable[[float], None] | None = None) -> tuple[Event, DeliveryResult]:
    """Send a sample event to the hook ``name`` only, filters ignored (``flowops hooks test``)."""
    from flowops.events.handlers import handler_types
    from flowops.events.hooksfile import load_hooks

    types = handler_types(project)

    hooks_file = load_hooks(project, types)
    hook = hooks_file.get(name)
    if hook is None:
        known = ", ".join(h.name for h in hooks_file.hooks) or "none configured"
        raise NotFoundError(f"no hook named '{name}' in {hooks_file.path}", hint=f"hooks: {known}")
    event_type = check_event_name(type) if type else _sample_type(hook.events)
    event = Event(
        type=event_type,
        source=default_source(project),
        id=new_event_id(),
        time=utc_now(),
        subject="TASK-1",
        data={"spec_id": "sample-spec", "task_id": "TASK-1", "files": [], "test": True},
    )
    audit.append(project, [{"kind": "event", "event": event.to_dict(), "test": True}])
    result = deliver(project, hook, types[hook.type], event, sleep=sleep, secrets=hooks_file.secrets)
    audit.append(project, [delivery_record(event, result)])
    return event, result


def _load(project: Project) -> tuple[Plugins | None, HooksFile | None, dict[str, Any]]:
    """(plugins, hooks file or None when there is none, handler types); ConfigError for a broken hooks.yaml.

    With no hooks.yaml the plugins matter only as observers: when none can observe
    (``may_observe``), none is imported and the plugins are None; nor are the modules
    that read hooks.yaml and deliver to its handlers.
    """
    from flowops.plugins import get_plugins, may_observe

    if not hooks_path(project).is_file():
        plugins = get_plugins(project) if may_observe(project) else None
        return plugins, None, {}
    from flowops.events.handlers import handler_types
    from flowops.events.hooksfile import load_hooks

    plugins = get_plugins(project)
    types = handler_types(project)
    try:
        return plugins, load_hooks(project, types), types
    except ConfigError as exc:
        exc.hooks_file = True  # type: ignore[attr-defined]  # the bus records these itself
        raise


def _load_before_recording(project: Project, no_hooks: bool) -> tuple[Any, ConfigError | None, list[str]]:
    """(plugins, hooks file, types) or None, the ConfigError that stopped loading, the secrets to mask."""
    if no_hooks:
        return None, None, _secrets_of(project)
    try:
        loaded = _load(project)
    except ConfigError as exc:
        return None, exc, _secrets_of(project)
    return loaded, None, loaded[1].secrets if loaded[1] is not None else []


def _record_load_error(project: Project, event: Event, exc: ConfigError | None) -> None:
    # A broken hooks.yaml is recorded here; other configuration errors (config.toml, seen
    # while plugins load) are left to the caller, as before.
    if exc is not None and getattr(exc, "hooks_file", False):
        audit.append(project, [{"kind": "error", "event_id": event.id, "type": event.type, "error": exc.message, "path": exc.path}])


def _secrets_of(project: Project) -> list[str]:
    if not hooks_path(project).is_file():
        return []  # what configured_secrets says, without importing it
    from flowops.events.hooksfile import configured_secrets

    return configured_secrets(project)


def _observe(plugins: Plugins | None, event: Event) -> list[DeliveryResult]:
    if plugins is None:
        return []
    names = observers(plugins)
    if not names:
        return []
    from flowops.events.handlers import DeliveryResult

    before = len(plugins.failures)
    returned = {name for name, _value in plugins.call_each("on_event", event=copy.deepcopy(event))}
    # Reported as failed deliveries, not as warnings as well.
    errors = {f.plugin: f.error for f in plugins.unreported(f for f in plugins.failures[before:] if f.hook == "on_event")}
    results = []
    for name in names:
        if name in errors:
            results.append(DeliveryResult(handler=name, kind="python", ok=False, error=errors[name]))
        elif name in returned:
            results.append(DeliveryResult(handler=name, kind="python", ok=True))
    return results


def observers(plugins: Plugins) -> list[str]:
    """Names of the plugins implementing on_event, in call order."""
    return [impl.plugin_name for impl in reversed(plugins.pm.hook.on_event.get_hookimpls())]


def _queue(project: Project, event: Event, result: DeliveryResult, warnings: list[str], secrets: Sequence[str] = ()) -> None:
    from flowops.events import outbox

    try:
        outbox.add(project, redact_data(event.to_dict(), secrets), result.handler, result.attempts, result.error)
    except Exception as exc:  # the delivery already failed; say so rather than crash
        warnings.append(f"could not queue the event for {result.handler} in the outbox: {exc}")
        return
    result.queued = True


def delivery_record(event: Event, result: DeliveryResult, *, replay: bool = False) -> dict:
    """The audit-log record of one delivery (no handler output: it may hold secrets)."""
    record = {
        "kind": "delivery",
        "event_id": event.id,
        "type": event.type,
        "handler": result.handler,
        "handler_kind": result.kind,
        "ok": result.ok,
        "exit_code": result.exit_code,
        "status": result.status,
        "attempts": result.attempts,
        "duration_ms": result.duration_ms,
        "error": result.error,
        "skipped": result.skipped,
        "queued": result.queued,
    }
    if replay:
        record["replay"] = True
    return record


def _repository_files(project: Project, files: Sequence[str], warnings: list[str]) -> list[str]:
    root = Path(project.root).resolve()
    found: list[str] = []
    for raw in files:
        given = Path(os.fspath(raw))
        normal = Path(os.path.normpath(given if given.is_absolute() else root / given))
        relative = _inside(normal, root)
        if relative is None:
            relative = _inside(normal.resolve(), root)
        if relative is None:
            raise UsageError(f"file {os.fspath(raw)!r} is outside the repository ({root})", hint="pass paths inside the repository")
        text = relative.as_posix()
        if not normal.exists():
            warnings.append(f"file {text} does not exist")
        if text not in found:
            found.append(text)
    return found


def _inside(path: Path, root: Path) -> Path | None:
    try:
        return path.relative_to(root)
    except ValueError:
        return None


def _event_data(task_id: str | None, spec_id: str | None, files: list[str], data: Mapping | None) -> dict:
    payload: dict[str, Any] = {"spec_id": spec_id, "task_id": task_id, "files": files}
    for key, value in (data or {}).items():
        if not isinstance(key, str):
            raise UsageError(f"event data keys must be strings, not {key!r}")
        if key == "files":
            if value != files and value not in (None, []):
                raise UsageError("event data may not set 'files'; pass them as files (-f/--file) so they are checked")
            continue
        if key in RESERVED_DATA and value is not None:
            if payload[key] is not None and payload[key] != value:
                raise UsageError(f"event data says {key}={value!r} but {key} is {payload[key]!r}")
            payload[key] = value
            continue
        payload[key] = value
    try:
        json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UsageError(
            f"event data must be UTF-8 text; it holds bytes that are not (at character {exc.start + 1})",
            hint="nothing was recorded; pass the value as valid UTF-8",
        ) from None
    except (TypeError, ValueError) as exc:
        raise UsageError(f"event data must be JSON values: {exc}") from None
    return payload


def _sample_type(patterns: list[str]) -> str:
    from flowops.events.catalog import CATALOG

    for pattern in patterns:
        if EVENT_NAME_RE.fullmatch(pattern):
            return pattern
    for name in CATALOG:
        if type_matches(patterns, name):
            return name
    return "flowops.test"

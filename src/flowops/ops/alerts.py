"""Reading alert definitions, so that every alert gets its runbook.

Two shapes are recognised from the content, not the file name:

- Prometheus rule files: ``groups[].rules[]`` with ``alert``, ``expr``, ``for``,
  ``labels.severity`` and ``annotations.summary|description|runbook_url``. Recording
  rules (``record:``) are skipped. A Kubernetes ``PrometheusRule`` object (the same
  groups under ``spec``) is read the same way.
- Alerts-config files: a mapping of categories (``availability``, ``performance``,
  ``quality``, ``cost``, ``rag``, ...) each holding a list of alerts with ``name``,
  ``condition``, ``duration``, ``severity`` and ``runbook_url`` (``expr``, ``for``,
  ``runbook`` and ``message`` are accepted spellings). A list counts as a category when
  its key is one of the usual category names or one of its entries has an alert field;
  everything else (``defaults``, a list of notification channels) is ignored.

Each alert has a slug (its name in lower case, every run of other characters turned
into one ``-``); the slug is the alert's identity: its runbook task carries the label
``ops:runbook:<slug>``, so it must be unique across the files read together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, NoReturn

from flowops.errors import ConfigError
from flowops.yamlfile import Locations, load_yaml, load_yaml_file

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_CATEGORIES = frozenset({"alerts", "availability", "performance", "quality", "cost", "security", "rag", "drift"})
_CONFIG_FIELDS = frozenset({"condition", "expr", "duration", "for", "severity", "runbook_url", "runbook"})
_SHAPES_HINT = (
    "expected a Prometheus rule file (groups: [{name, rules: [{alert, expr, for, labels, annotations}]}]) "
    "or an alerts config (categories such as availability: [{name, condition, duration, severity, runbook_url}])"
)


@dataclass(frozen=True)
class Alert:
    """One alert, with where it was defined.

    ``expr`` is the PromQL expression (or the alerts-config ``condition``); ``group`` is
    the rule group name or the alerts-config category; ``position`` is the place in the
    file (``groups[0].rules[3]``), ``line`` its 1-based line.
    """

    name: str
    slug: str
    expr: str
    duration: str | None
    severity: str | None
    summary: str | None
    description: str | None
    runbook_url: str | None
    group: str | None
    source: str
    line: int | None
    position: str

    @property
    def key(self) -> str:
        """The playbook item key of this alert's runbook task (``runbook:<slug>``)."""
        return f"runbook:{self.slug}"

    @property
    def label(self) -> str:
        """The stable key label of this alert's runbook task (``ops:runbook:<slug>``)."""
        return f"ops:{self.key}"

    @property
    def location(self) -> str:
        """``file:line`` for messages and documents."""
        return self.source if self.line is None else f"{self.source}:{self.line}"


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def slugify(name: str) -> str:
    """``"Latency P99 High"`` -> ``"latency-p99-high"``; ``"HighErrorRate"`` -> ``"high-error-rate"``.

    Prometheus alert names are CamelCase by convention; splitting the words keeps the
    key labels (``ops:runbook:high-error-rate``) readable.
    """
    spaced = _CAMEL_BOUNDARY.sub("-", name)
    return _NOT_ALNUM.sub("-", spaced.lower()).strip("-")


def read_alerts(path: Path, display: str | None = None) -> list[Alert]:
    """Read the alerts of one file (either shape); ``display`` is the path shown in messages.

    Raises ConfigError naming the file, line and position for invalid YAML, an unknown
    shape, an alert without a name, or two alerts of the same slug. An empty file has
    no alerts.
    """
    data, where = load_yaml_file(Path(path), display)
    return _alerts_from_data(data, where)


def parse_alerts(text: str, display: str) -> list[Alert]:
    """Like ``read_alerts`` for text already in memory."""
    data, where = load_yaml(text, display)
    return _alerts_from_data(data, where)


def read_alert_files(paths: Iterable[Path | str | tuple[Path, str]]) -> list[Alert]:
    """Read several files (each a path, or a ``(path, display)`` pair) into one list.

    The same file named twice is read once. An alert slug defined in two files is a
    ConfigError naming both places: one runbook task cannot serve two alerts.
    """
    alerts: list[Alert] = []
    seen_files: set[Path] = set()
    for entry in paths:
        path, display = entry if isinstance(entry, tuple) else (Path(entry), str(entry))
        resolved = Path(path).resolve()
        if resolved in seen_files:
            continue
        seen_files.add(resolved)
        alerts.extend(read_alerts(Path(path), display))
    _refuse_duplicate_slugs(alerts)
    return alerts


def _alerts_from_data(data: Any, where: Locations) -> list[Alert]:
    if data is None:
        return []
    if not isinstance(data, dict):
        _fail(f"unknown alert file shape: the top level is a {_kind(data)}", (), where, hint=_SHAPES_HINT)
    if "groups" in data:
        alerts = _prometheus(data["groups"], ("groups",), where)
    elif isinstance(data.get("spec"), dict) and "groups" in data["spec"]:
        alerts = _prometheus(data["spec"]["groups"], ("spec", "groups"), where)
    elif any(_is_category(key, value) for key, value in data.items()):
        alerts = _alerts_config(data, where)
    else:
        _fail("unknown alert file shape: no 'groups' and no category holding a list of alerts", (), where, hint=_SHAPES_HINT)
    _refuse_duplicate_slugs(alerts)
    return alerts


def prometheus_alerts(groups: Any, at: tuple, where: Locations) -> list[Alert]:
    """The alerts of Prometheus rule ``groups`` found at field path ``at`` of a loaded document.

    For callers that locate the groups themselves (``flowops discover`` reads every
    document of a multi-document manifest). Same errors as ``read_alerts``; alerts of
    the same name (a warning/critical pair) are all returned.
    """
    return _prometheus(groups, at, where)


def _prometheus(groups: Any, at: tuple, where: Locations) -> list[Alert]:
    _expect(isinstance(groups, list), "must be a list of rule groups", groups, at, where)
    alerts = []
    for gi, group in enumerate(groups):
        group_at = (*at, gi)
        _expect(isinstance(group, dict), "must be a mapping with 'name' and 'rules'", group, group_at, where)
        rules = group.get("rules", [])
        _expect(isinstance(rules, list), "must be a list of rules", rules, (*group_at, "rules"), where)
        group_name = _field(group, group_at, where, "name")
        for ri, rule in enumerate(rules):
            rule_at = (*group_at, "rules", ri)
            _expect(isinstance(rule, dict), "must be a mapping (an alerting or recording rule)", rule, rule_at, where)
            if "alert" not in rule:
                if "record" in rule:
                    continue  # recording rules have no one to wake up
                _fail("rule has neither 'alert' nor 'record': an alert needs a name", rule_at, where, hint="add `alert: <Name>`")
            labels = _mapping(rule.get("labels"), (*rule_at, "labels"), where)
            notes = _mapping(rule.get("annotations"), (*rule_at, "annotations"), where)
            notes_at = (*rule_at, "annotations")
            alerts.append(
                _alert(
                    name=_name(rule.get("alert"), "alert", rule_at, where),
                    expr=_field(rule, rule_at, where, "expr"),
                    duration=_field(rule, rule_at, where, "for"),
                    severity=_field(labels, (*rule_at, "labels"), where, "severity"),
                    summary=_field(notes, notes_at, where, "summary", "message"),
                    description=_field(notes, notes_at, where, "description"),
                    runbook_url=_field(notes, notes_at, where, "runbook_url", "runbook"),
                    group=group_name,
                    at=rule_at,
                    where=where,
                )
            )
    return alerts


def _alerts_config(data: dict, where: Locations) -> list[Alert]:
    alerts = []
    for category, entries in data.items():
        if not _is_category(category, entries):
            continue  # e.g. `defaults:` or a list of channels: not alerts
        for index, entry in enumerate(entries):
            at = (category, index)
            _expect(isinstance(entry, dict), "must be a mapping with at least a 'name'", entry, at, where)
            alerts.append(
                _alert(
                    name=_name(entry.get("name"), "name", at, where),
                    expr=_field(entry, at, where, "condition", "expr"),
                    duration=_field(entry, at, where, "duration", "for"),
                    severity=_field(entry, at, where, "severity"),
                    summary=_field(entry, at, where, "summary", "message"),
                    description=_field(entry, at, where, "description"),
                    runbook_url=_field(entry, at, where, "runbook_url", "runbook"),
                    group=str(category),
                    at=at,
                    where=where,
                )
            )
    return alerts


def _is_category(key: Any, value: Any) -> bool:
    # A list is a category of alerts when its key is a usual category name or one of
    # its entries has an alert's fields; other lists (channels, receivers) are left alone.
    if not isinstance(value, list):
        return False
    return key in _CATEGORIES or any(isinstance(entry, dict) and not _CONFIG_FIELDS.isdisjoint(entry) for entry in value)


def _alert(*, name: str, expr: str | None, at: tuple, where: Locations, **facts: Any) -> Alert:
    slug = slugify(name)
    if not slug:
        _fail(f"alert name {name!r} has no letters or digits to make a slug from", at, where)
    return Alert(
        name=name,
        slug=slug,
        expr=expr or "",
        source=where.path,
        line=where.line(*at),
        position=Locations.dotted(at),
        **facts,
    )


def _refuse_duplicate_slugs(alerts: list[Alert]) -> None:
    seen: dict[str, Alert] = {}
    for alert in alerts:
        first = seen.get(alert.slug)
        if first is not None:
            raise ConfigError(
                f"alerts '{first.name}' ({first.location}, {first.position}) and '{alert.name}' ({alert.position}) "
                f"have the same slug '{alert.slug}'",
                path=alert.source,
                line=alert.line,
                field=alert.position,
                hint="give each alert its own name: the slug keys its runbook task and document",
            )
        seen[alert.slug] = alert


def _field(mapping: dict, at: tuple, where: Locations, *keys: str) -> str | None:
    """The text of the first of ``keys`` that is set (later keys are accepted spellings)."""
    for key in keys:
        value = mapping.get(key)
        if value is None:
            continue
        if isinstance(value, (dict, list)):
            _fail(f"must be a text value, not a {_kind(value)}", (*at, key), where)
        return str(value).strip() or None
    return None


def _name(value: Any, field: str, at: tuple, where: Locations) -> str:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if value is None or isinstance(value, str):
        _fail(f"alert without a name ('{field}' is missing or empty)", at, where, hint=f"add `{field}: <name>` to this alert")
    _fail(f"'{field}' must be a text value, not a {_kind(value)}", (*at, field), where)


def _mapping(value: Any, at: tuple, where: Locations) -> dict:
    if value is None:
        return {}
    _expect(isinstance(value, dict), "must be a mapping", value, at, where)
    return value


def _expect(ok: bool, what: str, value: Any, at: tuple, where: Locations) -> None:
    if not ok:
        _fail(f"{what}, not a {_kind(value)}", at, where, hint=_SHAPES_HINT)


def _fail(message: str, at: tuple, where: Locations, hint: str | None = None) -> NoReturn:
    raise ConfigError(message, path=where.path, line=where.line(*at), field=Locations.dotted(at) or None, hint=hint)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "mapping", list: "list", str: "string", bool: "boolean"}.get(type(value), type(value).__name__)

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

Each rule is an ``AlertRule``; the rules of one alert *name* form one ``Alert``.
Prometheus practice (kube-prometheus, kubernetes-mixin) is to ship one name at several
severities (a ``warning`` that opens a ticket, a ``critical`` that pages), in one group,
across groups or across files: the person woken up needs one runbook for the symptom,
covering every rule. An alert's slug (its name in lower case, every run of other
characters turned into one ``-``) is its identity: its runbook task carries the label
``ops:runbook:<slug>``, so two *different* names with one slug are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from flowops.errors import ConfigError
from flowops.yamlfile import Locations, load_yaml, load_yaml_file

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_CATEGORIES = frozenset({"alerts", "availability", "performance", "quality", "cost", "security", "rag", "drift"})
_CONFIG_FIELDS = frozenset({"condition", "expr", "duration", "for", "severity", "runbook_url", "runbook"})
_SHAPES_HINT = (
    "expected a Prometheus rule file (groups: [{name, rules: [{alert, expr, for, labels, annotations}]}]) "
    "or an alerts config (categories such as availability: [{name, condition, duration, severity, runbook_url}])"
)


class _RunbookKeys:
    """The key and label of the runbook task of an alert (or of one of its rules), from its slug."""

    slug: str

    @property
    def key(self) -> str:
        """The playbook item key of this alert's runbook task (``runbook:<slug>``)."""
        return f"runbook:{self.slug}"

    @property
    def label(self) -> str:
        """The stable key label of this alert's runbook task (``ops:runbook:<slug>``)."""
        return f"ops:{self.key}"


@dataclass(frozen=True)
class AlertRule(_RunbookKeys):
    """One alerting rule, with where it was defined.

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
    def location(self) -> str:
        """``file:line`` for messages and documents."""
        return self.source if self.line is None else f"{self.source}:{self.line}"

    def to_dict(self) -> dict:
        return {"severity": self.severity, "location": self.location, "position": self.position, "group": self.group,
                "for": self.duration, "expr": self.expr}


@dataclass(frozen=True)
class Alert(_RunbookKeys):
    """One alert name and every rule that defines it (one per severity, usually), in file order.

    The single-rule facts (``expr``, ``duration``, ``source``, ``line``, ...) are those of
    the first rule; ``rules`` has them all.
    """

    name: str
    slug: str
    rules: tuple[AlertRule, ...]

    @property
    def severities(self) -> list[str]:
        """The distinct severities of the rules, in file order (``["warning", "critical"]``)."""
        return list(dict.fromkeys(rule.severity for rule in self.rules if rule.severity))

    @property
    def severity(self) -> str | None:
        """The severities as one text (``"warning, critical"``), or None when no rule sets one."""
        return ", ".join(self.severities) or None

    @property
    def locations(self) -> list[str]:
        """``file:line`` of every rule."""
        return [rule.location for rule in self.rules]

    @property
    def first(self) -> AlertRule:
        return self.rules[0]

    @property
    def expr(self) -> str:
        return self.first.expr

    @property
    def duration(self) -> str | None:
        return self.first.duration

    @property
    def summary(self) -> str | None:
        return next((rule.summary for rule in self.rules if rule.summary), None)

    @property
    def description(self) -> str | None:
        return next((rule.description for rule in self.rules if rule.description), None)

    @property
    def runbook_url(self) -> str | None:
        return next((rule.runbook_url for rule in self.rules if rule.runbook_url), None)

    @property
    def group(self) -> str | None:
        return self.first.group

    @property
    def source(self) -> str:
        return self.first.source

    @property
    def line(self) -> int | None:
        return self.first.line

    @property
    def position(self) -> str:
        return self.first.position

    @property
    def location(self) -> str:
        return self.first.location


def group_rules(rules: Iterable[AlertRule]) -> list[Alert]:
    """One Alert per name, in order of first appearance; ConfigError for two names with one slug."""
    by_name: dict[str, list[AlertRule]] = {}
    names_by_slug: dict[str, AlertRule] = {}
    for rule in rules:
        first = names_by_slug.setdefault(rule.slug, rule)
        if first.name != rule.name:
            raise ConfigError(
                f"alerts '{first.name}' ({first.location}, {first.position}) and '{rule.name}' ({rule.position}) "
                f"have the same slug '{rule.slug}'",
                path=rule.source,
                line=rule.line,
                field=rule.position,
                hint="give each alert its own name: the slug keys its runbook task and document "
                     "(rules of one name at several severities are fine: they share one runbook)",
            )
        by_name.setdefault(rule.name, []).append(rule)
    return [Alert(name, found[0].slug, tuple(found)) for name, found in by_name.items()]


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
    shape, an alert without a name, or two alert names of the same slug. An empty file
    has no alerts.
    """
    return group_rules(read_rules(path, display))


def read_rules(path: Path, display: str | None = None) -> list[AlertRule]:
    """The alerting rules of one file, one per rule (see ``read_alerts``)."""
    data, where = load_yaml_file(Path(path), display)
    return _rules_from_data(data, where)


def parse_alerts(text: str, display: str) -> list[Alert]:
    """Like ``read_alerts`` for text already in memory."""
    data, where = load_yaml(text, display)
    return group_rules(_rules_from_data(data, where))


def read_alert_files(paths: Iterable[Path | str | tuple[Path, str]], warnings: list[str] | None = None) -> list[Alert]:
    """Read several files (each a path, or a ``(path, display)`` pair) into one list of alerts.

    The same file named twice is read once. Rules of one name in several files make one
    alert; two names with one slug are a ConfigError naming both places. A file without
    any alerting rule adds a line to ``warnings`` (most likely the wrong file).
    """
    rules: list[AlertRule] = []
    seen_files: set[Path] = set()
    for entry in paths:
        path, display = entry if isinstance(entry, tuple) else (Path(entry), str(entry))
        resolved = Path(path).resolve()
        if resolved in seen_files:
            continue
        seen_files.add(resolved)
        found = read_rules(Path(path), display)
        if not found and warnings is not None:
            warnings.append(f"{display} has no alerting rules (empty, or recording rules only): no runbooks come from it")
        rules.extend(found)
    return group_rules(rules)


def _rules_from_data(data: Any, where: Locations) -> list[AlertRule]:
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
    return alerts


def prometheus_rules(groups: Any, at: tuple, where: Locations) -> list[AlertRule]:
    """The alerting rules of Prometheus rule ``groups`` found at field path ``at`` of a loaded document.

    For callers that locate the groups themselves (``flowops discover`` reads every
    document of a multi-document manifest). Same errors as ``read_rules``; every rule is
    returned, a warning/critical pair of one name as two (``group_rules`` joins them).
    """
    return _prometheus(groups, at, where)


def _prometheus(groups: Any, at: tuple, where: Locations) -> list[AlertRule]:
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


def _alerts_config(data: dict, where: Locations) -> list[AlertRule]:
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


def _alert(*, name: str, expr: str | None, at: tuple, where: Locations, **facts: Any) -> AlertRule:
    slug = slugify(name)
    if not slug:
        _fail(f"alert name {name!r} has no letters or digits to make a slug from", at, where)
    return AlertRule(
        name=name,
        slug=slug,
        expr=expr or "",
        source=where.path,
        line=where.line(*at),
        position=Locations.dotted(at),
        **facts,
    )


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

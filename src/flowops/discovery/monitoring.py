"""Monitoring artefacts: Prometheus rule sources and their alerts, SLO specs, Grafana dashboards.

Alert rules are parsed by ``flowops.ops.alerts`` (the reader ``flowops operate`` uses),
so discovery and operate agree on what an alert is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flowops.discovery.shapes import mapping, sequence
from flowops.errors import ConfigError
from flowops.ops.alerts import AlertRule, prometheus_rules
from flowops.yamlfile import Locations

SLOTH_VERSION = "prometheus/v1"
SLOTH_API_GROUP = "sloth.slok.dev/"
OPENSLO_API_GROUP = "openslo/"


@dataclass
class RuleSource:
    """Prometheus rule groups: a rule file, or the ``spec`` of a PrometheusRule resource."""

    path: str
    line: int
    kind: str  # "rules" (a rule file) or "PrometheusRule"
    name: str | None  # the PrometheusRule's metadata.name
    groups: Any
    groups_at: tuple
    where: Locations
    alerts: list[AlertRule] = field(default_factory=list)  # one per alerting rule
    problem: ConfigError | None = None  # why the groups could not be read

    @property
    def label(self) -> str:
        return f"PrometheusRule/{self.name or '(unnamed)'}" if self.kind == "PrometheusRule" else "rule file"

    def to_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "kind": self.kind, "name": self.name,
                "alerts": len(self.alerts), "problem": self.problem.message if self.problem else None}


def is_rule_file(data: Any) -> bool:
    """A Prometheus (or Loki, Thanos, Mimir) rule file: ``groups:`` holding mappings with ``rules:``."""
    groups = data.get("groups") if isinstance(data, dict) else None
    return isinstance(groups, list) and any(isinstance(g, dict) and "rules" in g for g in groups)


def rule_source(path: str, line: int, data: dict, where: Locations, *, resource_name: str | None = None,
                at: tuple = ()) -> RuleSource:
    """The rule groups of a rule file (``resource_name`` None) or a PrometheusRule, with their alerts read.

    ``at`` is where ``data`` sits in its document (the items of a ``kind: List``).
    """
    if resource_name is None:
        source = RuleSource(path, line, "rules", None, data.get("groups"), (*at, "groups"), where)
    else:
        spec = mapping(data.get("spec"))
        source = RuleSource(path, line, "PrometheusRule", resource_name, spec.get("groups"), (*at, "spec", "groups"),
                            where)
    try:
        source.alerts = prometheus_rules(source.groups, source.groups_at, where)
    except ConfigError as exc:
        source.problem = exc
    return source


def alert_dict(alert: AlertRule) -> dict:
    return {"name": alert.name, "severity": alert.severity, "path": alert.source, "line": alert.line,
            "group": alert.group, "slug": alert.slug}


@dataclass(frozen=True)
class SloSpec:
    """One SLO of a Sloth or OpenSLO spec."""

    path: str
    line: int
    format: str  # "sloth", "sloth-k8s" or "openslo"
    service: str | None
    name: str | None
    objective: float | None  # Sloth: a percentage (99.9); OpenSLO: a ratio (0.999), as written

    def to_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "format": self.format, "service": self.service,
                "name": self.name, "objective": self.objective}


def slo_specs(path: str, data: Any, where: Locations, line: int, at: tuple = ()) -> list[SloSpec]:
    """The SLOs of one loaded document, if it is a Sloth or OpenSLO spec (otherwise none)."""
    if not isinstance(data, dict):
        return []
    api = data.get("apiVersion")
    if data.get("version") == SLOTH_VERSION and isinstance(data.get("slos"), list):
        return _sloth(path, data, data["slos"], ("slos",), where, line, "sloth", data.get("service"))
    if isinstance(api, str) and api.startswith(SLOTH_API_GROUP) and data.get("kind") == "PrometheusServiceLevel":
        spec = mapping(data.get("spec"))
        return _sloth(path, data, sequence(spec.get("slos")), ("spec", "slos"), where, line, "sloth-k8s", spec.get("service"))
    if isinstance(api, str) and api.startswith(OPENSLO_API_GROUP) and data.get("kind") == "SLO":
        metadata = mapping(data.get("metadata"))
        spec = mapping(data.get("spec"))
        objectives = sequence(spec.get("objectives"))
        first = mapping(objectives[0]) if objectives else {}
        return [SloSpec(path, line, "openslo", _text(spec.get("service")), _text(metadata.get("name")),
                        _number(first.get("target")))]
    return []


def _sloth(path: str, data: dict, slos: list, at: tuple, where: Locations, line: int, kind: str, service: Any) -> list[SloSpec]:
    found = []
    for index, slo in enumerate(slos):
        if isinstance(slo, dict):
            found.append(SloSpec(path, where.line(*at, index) or line, kind, _text(service), _text(slo.get("name")),
                                 _number(slo.get("objective"))))
    return found


def is_openslo(data: Any) -> bool:
    api = data.get("apiVersion") if isinstance(data, dict) else None
    return isinstance(api, str) and api.startswith(OPENSLO_API_GROUP)


@dataclass(frozen=True)
class Dashboard:
    """A Grafana dashboard JSON file (the dashboard itself, or the API's ``{"dashboard": ...}`` wrapper)."""

    path: str
    title: str | None
    uid: str | None
    panels: int

    def to_dict(self) -> dict:
        return {"path": self.path, "title": self.title, "uid": self.uid, "panels": self.panels}


def grafana_dashboard(path: str, data: Any) -> Dashboard | None:
    if isinstance(data, dict) and isinstance(data.get("dashboard"), dict):
        data = data["dashboard"]
    if not isinstance(data, dict) or not isinstance(data.get("panels"), list):
        return None
    if not any(key in data for key in ("schemaVersion", "title", "uid", "templating")):
        return None
    return Dashboard(path, _text(data.get("title")), _text(data.get("uid")), _count_panels(data["panels"]))


def _count_panels(panels: list) -> int:
    # Collapsed rows keep their panels inside the row.
    total = 0
    for panel in panels:
        if not isinstance(panel, dict):
            continue
        nested = panel.get("panels")
        if panel.get("type") == "row":
            total += _count_panels(nested) if isinstance(nested, list) else 0
        else:
            total += 1
    return total


def _text(value: Any) -> str | None:
    return None if value is None or isinstance(value, (dict, list)) else str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        return float(str(value))
    except (TypeError, ValueError):
        return None

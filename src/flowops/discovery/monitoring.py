"""Monitoring artefacts: Prometheus rule sources and their alerts, SLO specs, Grafana dashboards.

Alert rules are parsed by ``flowops.ops.alerts`` (the reader ``flowops operate`` uses),
so discovery and operate agree on what an alert is; SLO specs by ``flowops.slo.specs``
(the reader ``flowops slo`` uses), so discovery and ``flowops slo`` agree on every SLO.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flowops.discovery.shapes import mapping
from flowops.errors import ConfigError
from flowops.ops.alerts import AlertRule, prometheus_rules
from flowops.slo.model import SLO, SLOTH_K8S, SLOTH_V1
from flowops.yamlfile import Locations

if TYPE_CHECKING:
    from flowops.slo.generate import GenerateArgs



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
    generated: GenerateArgs | None = None  # a file `flowops slo generate` wrote: how (from its header)

    @property
    def label(self) -> str:
        return f"PrometheusRule/{self.name or '(unnamed)'}" if self.kind == "PrometheusRule" else "rule file"

    def to_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "kind": self.kind, "name": self.name,
                "alerts": len(self.alerts), "problem": self.problem.message if self.problem else None,
                "generatedFrom": list(self.generated.specs) if self.generated else None}


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


def slo_dict(slo: SLO) -> dict:
    """One SLO as ``flowops discover --json`` lists it (read by ``flowops.slo.specs``, as ``flowops slo`` reads it)."""
    objective = slo.objective
    number = int(objective) if objective.denominator == 1 else float(objective)
    formats = {SLOTH_V1: "sloth", SLOTH_K8S: "sloth-k8s"}
    return {"path": slo.source, "line": slo.line, "format": formats.get(slo.spec, "openslo"), "spec": slo.spec,
            "service": slo.service, "name": slo.name, "id": slo.id, "objective": number, "alerts": slo.alert_names}


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

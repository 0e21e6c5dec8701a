"""OpenSLO ``SLO`` (and ``SLI``) documents, ``openslo/v1alpha`` as Sloth reads them and ``openslo/v1``.

Only ratio indicators over Prometheus can become Prometheus rules, so that is what is read:

- ``v1alpha``: ``spec.objectives[].ratioMetrics`` with ``good`` or ``bad`` and ``total``
  (each ``{source: prometheus, queryType: promql, query}``), ``objectives[].target`` as a
  ratio (0.999), ``spec.timeWindows[0]`` as ``{count, unit: Day}``. As in Sloth, each
  objective is one SLO named ``<metadata.name>-<index>``.
- ``v1``: the indicator inline (``spec.indicator``, or per objective) or by name
  (``indicatorRef``, an ``SLI`` document in any of the files read together), with
  ``ratioMetric.good|bad|total.metricSource.spec.query`` or a precomputed
  ``ratioMetric.raw`` with ``rawType: success|failure``; ``objectives[].target`` (a ratio)
  or ``targetPercent``; ``spec.timeWindow[0].duration`` such as ``28d`` or ``4w``. One
  objective is one SLO named ``<metadata.name>``; several are ``<metadata.name>-<index>``.

OpenSLO has no alert names, and Sloth generates no alerts for it; here every SLO gets
its page and ticket alerts, named from the SLO (``checkout`` / ``availability`` ->
``CheckoutAvailabilityBudgetBurn``), so they get runbooks like any other alert. Other
kinds (``Service``, ``AlertPolicy``, ``DataSource``, ...) are read past.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from flowops.slo.fields import At, Fields, kind_of, scalar_text
from flowops.slo.model import (
    DAY,
    MIN_PERIOD,
    PAGE,
    SLI,
    SLO,
    TICKET,
    AlertMeta,
    decimal_fraction,
    format_duration,
    parse_duration,
)
from flowops.slo.sloth import checked_query, objective_problem

OCCURRENCES = "Occurrences"
_WORD = re.compile(r"[A-Za-z0-9]+")
_SOURCES = ("prometheus", "sloth")


@dataclass
class Document:
    """One OpenSLO object as found: its mapping, where it is, and how to report on it."""

    data: dict
    fields: Fields
    at: At
    version: str

    @property
    def kind(self) -> Any:
        return self.data.get("kind")

    @property
    def name(self) -> str | None:
        metadata = self.data.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        return name.strip() if isinstance(name, str) and name.strip() else None


def alert_name(service: str, name: str) -> str:
    """The alert name of an OpenSLO SLO: ``checkout`` + ``checkout-availability`` -> ``CheckoutAvailabilityBudgetBurn``."""
    words = _WORD.findall(service)
    own = _WORD.findall(name)
    if [w.lower() for w in own[: len(words)]] == [w.lower() for w in words]:
        own = own[len(words):]  # "checkout-availability" of service "checkout": say checkout once
    return "".join(word[:1].upper() + word[1:] for word in (*words, *own)) + "BudgetBurn"


def read_openslo(document: Document, slis: dict[str, Document], period: int) -> list[SLO]:
    """The SLOs of one OpenSLO ``SLO`` document (``slis``: the ``SLI`` documents by name, for v1)."""
    fields, at, data = document.fields, document.at, document.data
    fields.known(data, ("apiVersion", "kind", "metadata", "spec"), at)
    metadata = fields.mapping(data, "metadata", at, required=True) or {}
    metadata_at = (*at, "metadata")
    name = fields.text(metadata, "name", metadata_at, required=True, single_line=True)
    labels = _labels(metadata, fields, metadata_at) if document.version == "v1" else {}
    spec = fields.mapping(data, "spec", at, required=True)
    if spec is None:
        return []
    spec_at = (*at, "spec")
    service = fields.text(spec, "service", spec_at, required=True, single_line=True)
    description = fields.text(spec, "description", spec_at) or ""
    _budgeting(spec, fields, spec_at)
    reader = _period_v1 if document.version == "v1" else _period_v1alpha
    slo_period = reader(spec, fields, spec_at, period)
    objectives = fields.sequence(spec, "objectives", spec_at, required=True)
    if objectives is not None and not objectives:
        fields.error("an SLO needs at least one objective", (*spec_at, "objectives"))
    shared_sli = _shared_indicator(spec, fields, spec_at, document.version, objectives, slis)
    several = len(objectives or []) > 1 or document.version == "v1alpha"
    slos = []
    for index, objective in enumerate(objectives or []):
        objective_at = (*spec_at, "objectives", index)
        found = _objective(objective, fields, objective_at, document.version, shared_sli, slis)
        if name is None or service is None or slo_period is None or found is None:
            continue
        target, sli = found
        slo_name = f"{name}-{index}" if several else name
        # Sloth's -<index> names the SLO even when there is one objective; the alert says it only when needed.
        alert = alert_name(service, slo_name if len(objectives or []) > 1 else name)
        slos.append(SLO(service=service, name=slo_name, objective=target, period=slo_period, sli=sli,
                        spec=f"openslo/{document.version}", source=fields.path, line=fields.line(objective_at),
                        description=description.strip(), labels=labels,
                        page=AlertMeta(PAGE, alert), ticket=AlertMeta(TICKET, alert)))
    return slos


def _objective(objective: Any, fields: Fields, at: At, version: str, shared_sli: SLI | None,
               slis: dict[str, Document]) -> tuple[Fraction, SLI] | None:
    """(target in percent, indicator) of one objective, None when either is unusable."""
    if not isinstance(objective, dict):
        fields.error(f"an objective must be a mapping, not a {kind_of(objective)}", at)
        return None
    target = _target(objective, fields, at)
    if version == "v1alpha":
        sli = _ratio_v1alpha(objective, fields, at)
    elif "indicator" in objective or "indicatorRef" in objective:
        sli = _indicator_v1(objective, fields, at, slis)
    else:
        sli = shared_sli
    return None if target is None or sli is None else (target, sli)


def _shared_indicator(spec: dict, fields: Fields, at: At, version: str, objectives: list | None,
                      slis: dict[str, Document]) -> SLI | None:
    """The SLO-level indicator (v1), with the problems of a missing or unsupported one recorded."""
    if version == "v1" and ("indicator" in spec or "indicatorRef" in spec):
        return _indicator_v1(spec, fields, at, slis)
    if version == "v1":
        if not any(isinstance(o, dict) and ("indicator" in o or "indicatorRef" in o) for o in objectives or []):
            fields.error("an SLO needs 'indicator' or 'indicatorRef'", at)
    elif "indicator" in spec:
        fields.error("only ratioMetrics objectives can become burn-rate alerts; spec.indicator (a threshold metric) "
                     "is not supported", (*at, "indicator"))
    return None


def check_sli_document(document: Document) -> None:
    """Record the problems of an ``SLI`` document that no SLO refers to (it is still checked)."""
    fields, at = document.fields, document.at
    fields.known(document.data, ("apiVersion", "kind", "metadata", "spec"), at)
    metadata = fields.mapping(document.data, "metadata", at, required=True) or {}
    fields.text(metadata, "name", (*at, "metadata"), required=True, single_line=True)
    spec = fields.mapping(document.data, "spec", at, required=True)
    if spec is not None:
        _sli_spec_v1(spec, fields, (*at, "spec"))


def _labels(metadata: dict, fields: Fields, at: At) -> dict[str, str]:
    # OpenSLO v1 label values are text or lists of text; a list becomes one comma-separated value.
    raw = fields.mapping(metadata, "labels", at)
    if not raw:
        return {}
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, list) and all(scalar_text(v) is not None for v in value):
            flat[key] = ",".join(str(scalar_text(v)) for v in value)
        else:
            flat[key] = value
    return fields.labels({"labels": flat}, "labels", at)


def _budgeting(spec: dict, fields: Fields, at: At) -> None:
    method = spec.get("budgetingMethod")
    if method is not None and method != OCCURRENCES:
        fields.warn(f"budgetingMethod {method} is read as Occurrences: burn-rate alerts count events, not time slices",
                    (*at, "budgetingMethod"))


def _target(objective: dict, fields: Fields, at: At):
    if "targetPercent" in objective and "target" in objective:
        fields.error("give 'target' (a ratio) or 'targetPercent', not both", (*at, "targetPercent"))
        return None
    if "targetPercent" in objective:
        percent = fields.number(objective, "targetPercent", at, required=True)
        if percent is None:
            return None
        problem = objective_problem(percent)
        if problem:
            fields.error(problem.replace("objective", "targetPercent", 1), (*at, "targetPercent"))
            return None
        return decimal_fraction(percent)
    ratio = fields.number(objective, "target", at, required=True)
    if ratio is None:
        return None
    if not 0 < ratio < 1:
        fields.error(f"target {ratio} is outside 0-1: OpenSLO targets are ratios (0.999 for 99.9%), above 0 and below 1",
                     (*at, "target"))
        return None
    return decimal_fraction(ratio) * 100


def _period_v1alpha(spec: dict, fields: Fields, at: At, default: int) -> int | None:
    windows = fields.sequence(spec, "timeWindows", at)
    if not windows:
        return default
    if len(windows) > 1:
        fields.error("only one time window is supported", (*at, "timeWindows", 1))
        return None
    window_at = (*at, "timeWindows", 0)
    window = windows[0]
    if not isinstance(window, dict):
        fields.error(f"a time window must be a mapping with count and unit, not a {kind_of(window)}", window_at)
        return None
    count = fields.number(window, "count", window_at, required=True)
    unit = fields.text(window, "unit", window_at, required=True, single_line=True)
    if count is None or unit is None:
        return None
    sizes = {"day": DAY, "week": 7 * DAY}
    if unit.lower() not in sizes:
        fields.error(f"time window unit {unit} is not supported: use Day (or Week)", (*window_at, "unit"))
        return None
    if not isinstance(count, int) or count <= 0:
        fields.error("time window count must be a whole number above 0", (*window_at, "count"))
        return None
    return _checked_period(count * sizes[unit.lower()], fields, window_at)


def _period_v1(spec: dict, fields: Fields, at: At, default: int) -> int | None:
    windows = fields.sequence(spec, "timeWindow", at)
    if not windows:
        return default
    if len(windows) > 1:
        fields.error("only one time window is supported", (*at, "timeWindow", 1))
        return None
    window_at = (*at, "timeWindow", 0)
    window = windows[0]
    if not isinstance(window, dict):
        fields.error(f"a time window must be a mapping with a duration, not a {kind_of(window)}", window_at)
        return None
    duration = fields.text(window, "duration", window_at, required=True, single_line=True)
    if duration is None:
        return None
    if duration[-1:] in ("M", "Q", "Y"):
        fields.error(f"duration {duration} has no fixed length: give days or weeks, such as 28d, 30d or 4w",
                     (*window_at, "duration"))
        return None
    minutes = parse_duration(duration)
    if minutes is None:
        fields.error(f"duration {duration!r} is not a duration such as 28d, 30d or 4w", (*window_at, "duration"))
        return None
    if window.get("isRolling") is False:
        fields.warn("a calendar-aligned window is read as a rolling one: burn-rate alerts look back, they do not reset",
                    (*window_at, "isRolling"))
    return _checked_period(minutes, fields, window_at)


def _checked_period(minutes: int, fields: Fields, at: At) -> int | None:
    if minutes % DAY:
        fields.error(f"the SLO period {format_duration(minutes)} is not a whole number of days", at)
        return None
    if minutes < MIN_PERIOD:
        fields.error(f"the SLO period {format_duration(minutes)} is shorter than the longest alert window "
                     f"({format_duration(MIN_PERIOD)})", at)
        return None
    return minutes


def _ratio_v1alpha(objective: dict, fields: Fields, at: At) -> SLI | None:
    ratio = fields.mapping(objective, "ratioMetrics", at)
    if ratio is None:
        if "ratioMetrics" not in objective:
            fields.error("only ratioMetrics objectives can become burn-rate alerts: add ratioMetrics with good (or bad) "
                         "and total", at)
        return None
    ratio_at = (*at, "ratioMetrics")
    fields.known(ratio, ("good", "bad", "total", "incremental", "counter"), ratio_at)

    def query(key: str) -> str | None:
        metric = fields.mapping(ratio, key, ratio_at, required=True)
        if metric is None:
            return None
        metric_at = (*ratio_at, key)
        source = metric.get("source")
        if source is not None and (not isinstance(source, str) or source.lower() not in _SOURCES):
            fields.error(f"source {source} is not supported: only prometheus queries become Prometheus rules",
                         (*metric_at, "source"))
            return None
        query_type = metric.get("queryType")
        if query_type is not None and query_type != "promql":
            fields.error(f"queryType {query_type} is not supported: use promql", (*metric_at, "queryType"))
            return None
        return checked_query(fields, metric, "query", metric_at)

    return _ratio_sli(ratio, fields, ratio_at, query)


def _ratio_sli(ratio: dict, fields: Fields, at: At, query) -> SLI | None:
    if ("good" in ratio) == ("bad" in ratio):
        fields.error("give either 'good' or 'bad' (with 'total'), not both and not neither", at)
        return None
    role = "good" if "good" in ratio else "bad"
    part = query(role)
    total = query("total")
    if part is None or total is None:
        return None
    if role == "good":
        return SLI("good", f"1 - (\n({part})\n/\n({total})\n)", {"good": part, "total": total})
    return SLI("bad", f"({part})\n/\n({total})", {"bad": part, "total": total})


def _indicator_v1(owner: dict, fields: Fields, at: At, slis: dict[str, Document]) -> SLI | None:
    if "indicator" in owner and "indicatorRef" in owner:
        fields.error("give 'indicator' or 'indicatorRef', not both", (*at, "indicatorRef"))
        return None
    if "indicatorRef" in owner:
        ref = fields.text(owner, "indicatorRef", at, required=True, single_line=True)
        if ref is None:
            return None
        target = slis.get(ref)
        if target is None:
            known = ", ".join(sorted(slis)) or "none"
            fields.error(f"indicatorRef '{ref}' names no SLI document in the specs read (known: {known})",
                         (*at, "indicatorRef"))
            return None
        spec = target.fields.mapping(target.data, "spec", target.at, required=True)
        return None if spec is None else _sli_spec_v1(spec, target.fields, (*target.at, "spec"))
    indicator = fields.mapping(owner, "indicator", at, required=True)
    if indicator is None:
        return None
    indicator_at = (*at, "indicator")
    fields.known(indicator, ("metadata", "spec"), indicator_at)
    spec = fields.mapping(indicator, "spec", indicator_at, required=True)
    return None if spec is None else _sli_spec_v1(spec, fields, (*indicator_at, "spec"))


def _sli_spec_v1(spec: dict, fields: Fields, at: At) -> SLI | None:
    fields.known(spec, ("description", "ratioMetric", "thresholdMetric"), at)
    if "thresholdMetric" in spec:
        fields.error("thresholdMetric indicators are not supported: burn-rate alerts need a ratioMetric",
                     (*at, "thresholdMetric"))
        return None
    ratio = fields.mapping(spec, "ratioMetric", at, required=True)
    if ratio is None:
        return None
    ratio_at = (*at, "ratioMetric")
    fields.known(ratio, ("counter", "good", "bad", "total", "raw", "rawType"), ratio_at)

    def query(key: str) -> str | None:
        metric = fields.mapping(ratio, key, ratio_at, required=True)
        if metric is None:
            return None
        metric_at = (*ratio_at, key)
        source = fields.mapping(metric, "metricSource", metric_at, required=True)
        if source is None:
            return None
        source_at = (*metric_at, "metricSource")
        kind = source.get("type")
        if kind is not None and (not isinstance(kind, str) or kind.lower() not in _SOURCES):
            fields.error(f"metric source type {kind} is not supported: only Prometheus queries become Prometheus rules",
                         (*source_at, "type"))
            return None
        source_spec = fields.mapping(source, "spec", source_at, required=True)
        return None if source_spec is None else checked_query(fields, source_spec, "query", (*source_at, "spec"))

    if "raw" in ratio:
        return _raw_v1(ratio, fields, ratio_at, query)
    return _ratio_sli(ratio, fields, ratio_at, query)


def _raw_v1(ratio: dict, fields: Fields, at: At, query) -> SLI | None:
    if any(key in ratio for key in ("good", "bad", "total")):
        fields.error("give 'raw' alone, or good (or bad) with total", (*at, "raw"))
        return None
    raw_type = ratio.get("rawType")
    if raw_type not in ("success", "failure"):
        fields.error("a raw ratio needs rawType: success (the good share) or failure (the error share)",
                     (*at, "rawType") if "rawType" in ratio else at)
        return None
    raw = query("raw")
    if raw is None:
        return None
    if raw_type == "failure":
        return SLI("raw", f"({raw})", {"error_ratio_query": raw})
    return SLI("good", f"1 - ({raw})", {"good_ratio_query": raw})

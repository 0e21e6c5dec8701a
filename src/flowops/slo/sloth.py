"""Sloth's ``prometheus/v1`` spec (and its Kubernetes form, ``PrometheusServiceLevel``), read as Sloth reads it.

A spec is one service with several SLOs::

    version: prometheus/v1
    service: checkout
    labels: {team: payments}
    slos:
      - name: requests-availability
        objective: 99.9
        sli:
          events:
            error_query: sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))
            total_query: sum(rate(http_requests_total{job="checkout"}[{{.window}}]))
        alerting:
          name: CheckoutAvailabilityBudgetBurn
          page_alert: {labels: {team: payments-oncall}}
          ticket_alert: {disable: true}

Sloth's rules carry over: the SLO id is ``<service>-<name>``, labels merge (spec, then
SLO), alert labels and annotations merge (``alerting``, then the page or ticket alert's
own), ``alerting.name`` is required unless both alerts are disabled. Sloth ignores unknown
fields; here they are warnings. The period is not part of the spec (Sloth takes it from
``--default-slo-period``): it is ``--default-period`` here, 30 days unless set.
"""

from __future__ import annotations

from flowops.slo.fields import At, Fields
from flowops.slo.model import PAGE, SLI, SLO, TICKET, AlertMeta, decimal_fraction
from flowops.slo.queries import query_problems

SPEC_KEYS = ("version", "service", "labels", "slos")
SLO_KEYS = ("name", "objective", "description", "labels", "sli", "alerting")
SLI_KEYS = ("events", "raw", "plugin")
ALERTING_KEYS = ("name", "labels", "annotations", "page_alert", "ticket_alert")
ALERT_KEYS = ("disable", "labels", "annotations")


def read_sloth(spec: dict, fields: Fields, at: At, spec_format: str, period: int) -> list[SLO]:
    """The SLOs of one Sloth spec mapping (``at`` is where it sits in its document)."""
    fields.known(spec, SPEC_KEYS if spec_format.startswith("prometheus") else SPEC_KEYS[1:], at)
    service = fields.text(spec, "service", at, required=True, single_line=True)
    labels = fields.labels(spec, "labels", at)
    slos_at = (*at, "slos")
    entries = fields.sequence(spec, "slos", at, required=True)
    if entries is not None and not entries:
        fields.error("a spec needs at least one SLO", slos_at)
    slos = []
    names: dict[str, int] = {}
    for index, entry in enumerate(entries or []):
        slo_at = (*slos_at, index)
        if not isinstance(entry, dict):
            fields.error("an SLO must be a mapping with name, objective, sli and alerting", slo_at)
            continue
        slo = _slo(entry, fields, slo_at, service, labels, spec_format, period)
        name = entry.get("name")
        if isinstance(name, str) and name.strip() in names:
            first = names[name.strip()]
            fields.error(f"duplicate SLO name '{name.strip()}': slos[{first}] (line {fields.line((*slos_at, first))}) "
                         "has it too; SLO names must be unique per service", (*slo_at, "name"))
            continue
        if isinstance(name, str):
            names[name.strip()] = index
        if slo is not None:
            slos.append(slo)
    return slos


def objective_problem(value: float | int) -> str | None:
    """Why an objective in percent is unusable, or None (0 < objective < 100)."""
    if not 0 < value < 100:
        why = " (100% leaves no error budget to alert on)" if value == 100 else ""
        return f"objective {value} is outside 0-100: give the target in percent, above 0 and below 100{why}"
    return None


def _slo(entry: dict, fields: Fields, at: At, service: str | None, spec_labels: dict[str, str], spec_format: str,
         period: int) -> SLO | None:
    fields.known(entry, SLO_KEYS, at)
    name = fields.text(entry, "name", at, required=True, single_line=True)
    objective = fields.number(entry, "objective", at, required=True)
    if objective is not None:
        problem = objective_problem(objective)
        if problem:
            fields.error(problem, (*at, "objective"))
            objective = None
    description = fields.text(entry, "description", at) or ""
    labels = {**spec_labels, **fields.labels(entry, "labels", at)}
    sli = _sli(entry, fields, at)
    alerts = _alerting(entry, fields, at)
    if service is None or name is None or objective is None or sli is None or alerts is None:
        return None
    page, ticket = alerts
    return SLO(service=service, name=name, objective=decimal_fraction(objective), period=period, sli=sli,
               spec=spec_format, source=fields.path, line=fields.line(at), description=description.strip(),
               labels=labels, page=page, ticket=ticket)


def _sli(entry: dict, fields: Fields, at: At) -> SLI | None:
    sli = fields.mapping(entry, "sli", at, required=True)
    if sli is None:
        return None
    sli_at = (*at, "sli")
    fields.known(sli, SLI_KEYS, sli_at)
    if "plugin" in sli:
        fields.error("SLI plugins are not supported: write the queries as 'events' or 'raw'", (*sli_at, "plugin"))
        return None
    has = [key for key in ("events", "raw") if sli.get(key) is not None]
    if len(has) == 2:
        fields.error("give either 'events' or 'raw', not both", (*sli_at, "raw"))
        return None
    if not has:
        fields.error("an SLI needs 'events' (error_query and total_query) or 'raw' (error_ratio_query)", sli_at)
        return None
    return _events(sli, fields, sli_at) if has == ["events"] else _raw(sli, fields, sli_at)


def _events(sli: dict, fields: Fields, at: At) -> SLI | None:
    events = fields.mapping(sli, "events", at)
    if events is None:
        return None
    events_at = (*at, "events")
    fields.known(events, ("error_query", "total_query"), events_at)
    error = checked_query(fields, events, "error_query", events_at)
    total = checked_query(fields, events, "total_query", events_at)
    if error is None or total is None:
        return None
    return SLI("events", f"({error})\n/\n({total})", {"error_query": error, "total_query": total})


def _raw(sli: dict, fields: Fields, at: At) -> SLI | None:
    raw = fields.mapping(sli, "raw", at)
    if raw is None:
        return None
    raw_at = (*at, "raw")
    fields.known(raw, ("error_ratio_query", "errorRatioQuery"), raw_at)
    if "error_ratio_query" in raw and "errorRatioQuery" in raw:
        fields.error("give 'error_ratio_query' or its older spelling 'errorRatioQuery', not both",
                     (*raw_at, "errorRatioQuery"))
        return None
    key = "errorRatioQuery" if "errorRatioQuery" in raw else "error_ratio_query"
    query = checked_query(fields, raw, key, raw_at)
    if query is None:
        return None
    return SLI("raw", f"({query})", {"error_ratio_query": query})


def checked_query(fields: Fields, parent: dict, key: str, at: At) -> str | None:
    """The query at ``parent[key]``, stripped, with each of its problems recorded at its line."""
    query = fields.text(parent, key, at, required=True)
    if query is None:
        return None
    query = query.strip()
    problems = query_problems(query)
    for problem in problems:
        fields.error(problem, (*at, key))
    return None if problems else query


def _alerting(entry: dict, fields: Fields, at: At) -> tuple[AlertMeta | None, AlertMeta | None] | None:
    """(page, ticket), each None when disabled; None when the alerting section is invalid."""
    alerting_at = (*at, "alerting")
    alerting = fields.mapping(entry, "alerting", at) or {}
    if alerting:
        fields.known(alerting, ALERTING_KEYS, alerting_at)
    name = fields.text(alerting, "name", alerting_at, single_line=True)
    labels = fields.labels(alerting, "labels", alerting_at)
    annotations = fields.labels(alerting, "annotations", alerting_at, what="annotation")
    metas: dict[str, AlertMeta | None] = {}
    enabled: list[str] = []
    for tier, key in ((PAGE, "page_alert"), (TICKET, "ticket_alert")):
        own = fields.mapping(alerting, key, alerting_at) or {}
        own_at = (*alerting_at, key)
        if own:
            fields.known(own, ALERT_KEYS, own_at)
        if fields.flag(own, "disable", own_at):
            metas[tier] = None
            continue
        enabled.append(key)
        merged_labels = {**labels, **fields.labels(own, "labels", own_at)}
        merged_notes = {**annotations, **fields.labels(own, "annotations", own_at, what="annotation")}
        metas[tier] = AlertMeta(tier, name or "", merged_labels, merged_notes)
    if not enabled:
        return None, None
    if name is None:
        verb = "are" if len(enabled) == 2 else "is"
        fields.error(f"'alerting.name' is required while {' and '.join(enabled)} {verb} enabled "
                     "(or set 'disable: true' on both)", alerting_at if "alerting" in entry else at)
        return None
    if not alert_name_ok(name, fields, (*alerting_at, "name")):
        return None
    return metas[PAGE], metas[TICKET]


def alert_name_ok(name: str, fields: Fields, at: At) -> bool:
    """True when ``name`` can name an alert and its runbook; otherwise record why and return False."""
    from flowops.ops.alerts import slugify

    if not slugify(name):
        fields.error(f"alert name {name!r} has no letters or digits: its runbook needs a name to be found by", at)
        return False
    if "{{" in name:
        fields.error("an alert name cannot hold a template", at)
        return False
    return True

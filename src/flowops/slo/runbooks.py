"""SLO alerts and their runbooks: the links written into the rules, and the alerts ``operate`` plans runbooks for.

An SLO's page and ticket alerts share one name, so they share one runbook task and one
runbook document (key ``ops:runbook:<slug of the alert name>``, as for any alert).

``runbook_url`` points at that document. Its path holds the document id Backlog.md gives
it when ``operate`` creates it (``backlog/docs/doc-4 - Runbook-CheckoutBudgetBurn.md``),
so the link is looked up: an existing document is linked by its path; before it exists,
the link is the documents folder, and ``slo generate`` says which alerts still lack one.
Once ``operate`` has created them, regenerating links each alert to its own document
(and ``--check`` reports the rules as out of date until then). With a base URL
(``slo.runbook_base_url``, e.g. ``https://github.com/acme/shop/blob/main/``) the link is
that URL followed by the path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import quote

from flowops.ops.alerts import Alert, AlertRule, slugify
from flowops.slo.model import PAGE, SLO, TICKET, format_days, format_duration, format_number, format_short
from flowops.slo.rules import RuleOptions, alert_rule, tier_windows

if TYPE_CHECKING:
    from flowops.project import Project

KEY_PREFIX = "ops:runbook:"


@dataclass
class RunbookLinks:
    """Maps an alert name to the link of its runbook document.

    ``documents``: key label (``ops:runbook:<slug>``) -> repository-relative path of the
    existing document; ``docs_dir``: the repository-relative documents folder.
    """

    documents: dict[str, str] = field(default_factory=dict)
    docs_dir: str = "backlog/docs"
    base_url: str | None = None

    def path(self, alert_name: str) -> str | None:
        """The repository-relative path of the alert's runbook document, None when it does not exist yet."""
        return self.documents.get(KEY_PREFIX + slugify(alert_name))

    def __call__(self, alert_name: str) -> str:
        path = self.path(alert_name) or self.docs_dir.rstrip("/") + "/"
        if self.base_url:
            return self.base_url.rstrip("/") + "/" + quote(path)
        return path

    def missing(self, names: Sequence[str]) -> list[str]:
        """The alert names among ``names`` that have no runbook document yet."""
        return [name for name in dict.fromkeys(names) if self.path(name) is None]


def runbook_links(project: Project, base_url: str | None = None) -> RunbookLinks:
    """The runbook documents of ``project``'s backlog (none when it has no backlog), for linking."""
    from flowops.backlog.documents import Documents
    from flowops.backlog.store import Backlog
    from flowops.ops.runbooks import document_keys

    backlog = Backlog(project)
    links = RunbookLinks(docs_dir=project.relpath(backlog.dir / "docs"), base_url=base_url)
    if not backlog.exists:
        return links
    documents, _unreadable = Documents(backlog).list()  # an unreadable document links nothing
    for document in documents:
        # The key tag in the frontmatter (or, for documents of earlier versions, the body line).
        labels, _tagged = document_keys(document.tags, document.body)
        for label in labels:
            if document.path is not None and label not in links.documents:
                links.documents[label] = project.relpath(document.path)
    return links


def slo_alerts(slos: Sequence[SLO], options: RuleOptions) -> list[Alert]:
    """One ``Alert`` per distinct alert name, for ``operate`` to plan its runbook task and document.

    The facts are the generated rule's: the page rule's expression (the ticket's when
    paging is disabled), its summary and description, and both severities.
    """
    alerts: dict[str, Alert] = {}
    for slo in slos:
        for name in slo.alert_names:
            if name in alerts:
                continue
            tiers = [tier for tier in (PAGE, TICKET) if (meta := slo.alert(tier)) is not None and meta.name == name]
            rule = alert_rule(slo, tiers[0], options) or {}
            notes = rule.get("annotations", {})
            severity = " and ".join(options.severity_label(tier) for tier in tiers)
            # One rule for the name: its place is the SLO in the spec, where page and ticket are defined together.
            rule_facts = AlertRule(
                name=name,
                slug=slugify(name),
                expr=rule.get("expr", ""),
                duration=None,
                severity=severity,
                summary=notes.get("summary"),
                description=_windows(slo, tiers),
                runbook_url=notes.get("runbook_url"),
                group=f"sloth-slo-alerts-{slo.id}",
                source=slo.source,
                line=slo.line,
                position=f"SLO {slo.id}",
            )
            alerts[name] = Alert(name=name, slug=rule_facts.slug, rules=(rule_facts,))
    return list(alerts.values())


def _windows(slo: SLO, tiers: list[str]) -> str:
    parts = []
    for tier in tiers:
        conditions = " or ".join(
            f"{format_short(b.factor(slo.period))}x over {format_duration(b.long)} and {format_duration(b.short)}"
            for b in tier_windows(tier))
        parts.append(f"{tier}: {conditions}")
    return (f"Burn-rate alert of the {format_number(slo.objective)}% over {format_days(slo.period)} SLO "
            f"{slo.id}; " + "; ".join(parts))

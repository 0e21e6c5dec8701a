"""SLO alerts as operate sees them: one runbook per alert name, page and ticket sharing it."""

from __future__ import annotations

from flowops.ops.runbooks import render_runbook_document, runbook_task_spec
from flowops.slo.rules import RuleOptions
from flowops.slo.runbooks import RunbookLinks, slo_alerts
from flowops.slo.specs import read_specs
from tests.slo.conftest import write


def test_one_alert_per_alert_name_with_both_severities(workspace):
    found = read_specs([workspace / "specs/checkout.sloth.yml"], root=workspace)
    alerts = slo_alerts(found.slos, RuleOptions(severity="critical-warning", runbook_url=RunbookLinks()))
    assert [(a.name, a.slug, a.severity) for a in alerts] == [
        ("CheckoutAvailabilityBudgetBurn", "checkout-availability-budget-burn", "critical and warning"),
        ("CheckoutLatencyBudgetBurn", "checkout-latency-budget-burn", "critical"),  # its ticket alert is disabled
    ]
    availability = alerts[0]
    assert availability.label == "ops:runbook:checkout-availability-budget-burn"
    assert availability.expr.startswith("(\n  max without (sloth_window) (slo:sli_error:ratio_rate1h{")
    assert availability.runbook_url == "backlog/docs/"
    assert (availability.source, availability.line, availability.position) == (
        "specs/checkout.sloth.yml", 9, "SLO checkout-requests-availability")
    assert availability.description == ("Burn-rate alert of the 99.9% over 30 days SLO checkout-requests-availability; "
                                         "page: 14.4x over 1h and 5m or 6x over 6h and 30m; "
                                         "ticket: 3x over 1d and 2h or 1x over 3d and 6h")


def test_two_slos_with_one_alert_name_share_one_runbook(workspace):
    text = (workspace / "specs/checkout.sloth.yml").read_text().replace("CheckoutLatencyBudgetBurn",
                                                                        "CheckoutAvailabilityBudgetBurn")
    write(workspace, "specs/checkout.sloth.yml", text)
    found = read_specs([workspace / "specs/checkout.sloth.yml"], root=workspace)
    assert [a.name for a in slo_alerts(found.slos, RuleOptions())] == ["CheckoutAvailabilityBudgetBurn"]


def test_the_runbook_task_and_document_are_made_from_the_slo_alert(workspace):
    found = read_specs([workspace / "specs/catalog.openslo-v1.yml"], root=workspace)
    alert = slo_alerts(found.slos, RuleOptions())[0]
    item = runbook_task_spec(alert)
    assert item.key == "runbook:catalog-availability-budget-burn"
    assert "severity page and ticket" in item.criteria[3]
    document = render_runbook_document(alert, "TASK-7", "Catalog service")
    assert "<!-- flowops:ops:runbook:catalog-availability-budget-burn -->" in document
    assert "| Defined in | `specs/catalog.openslo-v1.yml:46` (SLO catalog-catalog-availability) |" in document

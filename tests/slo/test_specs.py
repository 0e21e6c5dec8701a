"""Reading Sloth and OpenSLO specs into SLOs: names, ids, labels, queries, periods and alerts."""

from __future__ import annotations

from fractions import Fraction

from flowops.slo.model import DAY, OPENSLO_V1, OPENSLO_V1ALPHA, SLOTH_K8S, SLOTH_V1
from flowops.slo.openslo import alert_name
from flowops.slo.specs import read_specs
from tests.slo.conftest import SPECS, write


def _by_id(found):
    return {slo.id: slo for slo in found.slos}


def test_the_fixture_specs_read_without_a_problem(workspace):
    found = read_specs([workspace / "specs"], root=workspace)
    assert found.problems == []
    assert found.files == ["specs/catalog.openslo-v1.yml", "specs/checkout.sloth.yml", "specs/payments.openslo-v1alpha.yml",
                           "specs/search.sloth-k8s.yml"]
    assert sorted(_by_id(found)) == ["catalog-catalog-availability", "catalog-catalog-images",
                                     "checkout-requests-availability", "checkout-requests-latency",
                                     "payments-gateway-availability-0", "search-query-errors"]


def test_a_sloth_spec_merges_labels_and_alert_metadata_as_sloth_does(workspace):
    slos = _by_id(read_specs([workspace / "specs/checkout.sloth.yml"], root=workspace))
    availability = slos["checkout-requests-availability"]
    assert availability.spec == SLOTH_V1 and availability.objective == Fraction(999, 10) and availability.period == 30 * DAY
    assert availability.labels == {"team": "payments", "tier": "1"}
    assert availability.sli.kind == "events" and "{{.window}}" in availability.sli.error_ratio
    assert availability.page.name == availability.ticket.name == "CheckoutAvailabilityBudgetBurn"
    assert availability.page.labels == {"category": "availability", "routing_key": "payments-oncall"}
    assert availability.ticket.labels == {"category": "availability", "routing_key": "payments-jira"}
    assert availability.page.annotations == {"dashboard": "https://grafana.example.com/d/checkout-slo"}
    assert (availability.source, availability.line) == ("specs/checkout.sloth.yml", 9)
    latency = slos["checkout-requests-latency"]
    assert latency.labels == {"team": "payments", "tier": "1", "category": "latency"}  # the SLO's own labels win
    assert latency.ticket is None and latency.page is not None  # ticket_alert: {disable: true}


def test_the_kubernetes_form_and_the_older_errorRatioQuery_spelling(workspace):
    search = _by_id(read_specs([workspace / "specs/search.sloth-k8s.yml"], root=workspace))["search-query-errors"]
    assert search.spec == SLOTH_K8S and search.sli.kind == "raw"
    assert search.sli.error_ratio.startswith("(sum(rate(search_queries_failed_total[{{.window}}]))")
    assert search.page.annotations == {"runbook_url": "https://runbooks.example.com/search/errors"}


def test_openslo_v1alpha_is_read_as_sloth_reads_it(workspace):
    payments = _by_id(read_specs([workspace / "specs/payments.openslo-v1alpha.yml"], root=workspace))
    slo = payments["payments-gateway-availability-0"]  # <metadata.name>-<objective index>, as Sloth names it
    assert slo.spec == OPENSLO_V1ALPHA and slo.objective == Fraction(9995, 100) and slo.period == 30 * DAY
    assert slo.sli.kind == "good" and slo.sli.error_ratio.startswith("1 - (")
    assert slo.page.name == "PaymentsGatewayAvailabilityBudgetBurn"  # OpenSLO names no alert; Sloth makes none


def test_openslo_v1_resolves_indicatorRef_and_reads_28_days(workspace):
    catalog = _by_id(read_specs([workspace / "specs/catalog.openslo-v1.yml"], root=workspace))
    availability = catalog["catalog-catalog-availability"]
    assert availability.spec == OPENSLO_V1 and availability.period == 28 * DAY
    assert availability.objective == Fraction(995, 10)
    assert availability.sli.queries["good"].startswith('sum(rate(http_requests_total{job="catalog",code!~"5.."}')
    assert availability.labels == {"team": "catalog", "env": "prod,eu"}
    images = catalog["catalog-catalog-images"]
    assert images.sli.kind == "bad" and images.objective == 99 and images.period == 28 * DAY  # 4w, targetPercent


def test_an_sli_in_another_file_is_found_by_indicatorRef(workspace):
    write(workspace, "slis/good.yml", "\n".join((SPECS / "catalog.openslo-v1.yml").read_text().split("---")[1:2]))
    write(workspace, "slos/catalog.yml", """apiVersion: openslo/v1
kind: SLO
metadata: {name: availability}
spec:
  service: catalog
  indicatorRef: catalog-good-requests
  objectives: [{target: 0.99}]
""")
    found = read_specs([workspace / "slos", workspace / "slis"], root=workspace)
    assert found.problems == [] and [s.id for s in found.slos] == ["catalog-availability"]


def test_the_default_period_applies_to_sloth_and_to_openslo_without_a_window(workspace):
    found = read_specs([workspace / "specs/checkout.sloth.yml", workspace / "specs/payments.openslo-v1alpha.yml"],
                       root=workspace, default_period=28 * DAY)
    periods = {slo.id: slo.period for slo in found.slos}
    assert periods["checkout-requests-availability"] == 28 * DAY
    assert periods["payments-gateway-availability-0"] == 30 * DAY  # its own timeWindows win


def test_a_folder_skips_yaml_files_that_are_not_specs_but_a_named_file_must_be_one(workspace):
    write(workspace, "specs/deployment.yml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: checkout}\n")
    assert read_specs([workspace / "specs"], root=workspace).problems == []
    named = read_specs([workspace / "specs/deployment.yml"], root=workspace)
    assert [str(p) for p in named.problems] == [
        "specs/deployment.yml:1, field 'apiVersion': not an SLO spec (apiVersion apps/v1, kind Deployment): an SLO spec "
        "starts with `version: prometheus/v1` (Sloth) or `apiVersion: openslo/v1` (OpenSLO)"]


def test_unknown_fields_are_warnings_with_their_line(workspace):
    write(workspace, "s.yml", "version: prometheus/v1\nservice: a\nslos:\n  - name: b\n    objective: 99\n    objectve: 98\n"
          "    sli: {raw: {error_ratio_query: 'x[{{.window}}]'}}\n    alerting: {name: B}\n")
    found = read_specs([workspace / "s.yml"], root=workspace)
    assert found.errors == [] and [(p.line, p.field) for p in found.warnings] == [(6, "slos[0].objectve")]


def test_openslo_alert_names_say_the_service_once():
    assert alert_name("checkout", "checkout-availability") == "CheckoutAvailabilityBudgetBurn"
    assert alert_name("catalog", "images") == "CatalogImagesBudgetBurn"
    assert alert_name("web-shop", "latency-p99") == "WebShopLatencyP99BudgetBurn"


def test_a_spec_outside_the_repository_is_not_read_when_confined(workspace, tmp_path):
    outside = write(tmp_path, "elsewhere.yml", (SPECS / "checkout.sloth.yml").read_text())
    (workspace / "linked.yml").symlink_to(outside)
    found = read_specs([workspace / "linked.yml"], root=workspace, confine=True)
    assert found.slos == [] and "outside the repository" in found.errors[0].message


def test_a_huge_file_is_refused_before_parsing(workspace):
    write(workspace, "big.yml", "version: prometheus/v1\n" + "# padding\n" * 200_000)
    found = read_specs([workspace / "big.yml"], root=workspace)
    assert "too big for an SLO spec" in found.errors[0].message

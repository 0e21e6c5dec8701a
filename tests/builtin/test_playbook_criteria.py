"""The built-in playbooks practise what the lint preaches: every criterion is checkable."""

import inspect

import pytest

from flowops.acceptance.lint import lint_text
from flowops.builtin import mlops_playbook, sre_playbook
from flowops.ops.alerts import parse_alerts, read_alert_files
from flowops.ops.playbook import collect_playbooks, playbook_problems
from flowops.ops.runbooks import runbook_task_spec
from flowops.plugins import build_plugins
from tests.ops.conftest import ALERTS_DIR

SAMPLE_FILES = ["prometheus_rules.yml", "alerts_config.yml", "prometheus_rule_crd.yml"]
# Alert names that contain the very words the lint distrusts must not make their runbook criteria vague.
AWKWARD_ALERTS = """\
alerts:
  - name: Backup Exists Check
    condition: backup_age_hours > 24
  - name: Setup Done
    condition: setup_done == 0
  - name: "`weird` | name {x}"
    condition: x > 1
"""


def builtin_criteria():
    plugins = build_plugins(entry_points=lambda: [])
    for playbook in collect_playbooks(plugins).values():
        for item in playbook.items:
            for number, criterion in enumerate(item.criteria, 1):
                yield pytest.param(criterion, id=f"{playbook.name}:{item.key}#{number}")
            for fact, criteria in item.criteria_when:
                for number, criterion in enumerate(criteria, 1):
                    yield pytest.param(criterion, id=f"{playbook.name}:{item.key}[{fact}]#{number}")


def runbook_criteria():
    alerts = read_alert_files(ALERTS_DIR / name for name in SAMPLE_FILES) + parse_alerts(AWKWARD_ALERTS, "awkward.yml")
    for alert in alerts:
        for number, criterion in enumerate(runbook_task_spec(alert).criteria, 1):
            yield pytest.param(criterion, id=f"runbook:{alert.slug}#{number}")


@pytest.mark.parametrize("criterion", list(builtin_criteria()))
def test_every_builtin_playbook_criterion_passes_the_lint(plugins_with, criterion):
    assert lint_text(criterion, plugins_with()) == []


@pytest.mark.parametrize("criterion", list(runbook_criteria()))
def test_every_runbook_task_criterion_passes_the_lint(plugins_with, criterion):
    assert lint_text(criterion, plugins_with()) == []


def test_the_builtin_playbooks_are_well_formed():
    assert playbook_problems(sre_playbook.SRE) == [] and playbook_problems(mlops_playbook.MLOPS) == []


def test_the_sre_playbook_has_the_four_areas_operate_promises():
    items = {item.key: item for item in sre_playbook.SRE.items}
    assert {key: item.area for key, item in items.items()} == {
        "cicd": "cicd",
        "kubernetes": "kubernetes",
        "observability": "observability",
        "slo": "monitoring",
    }
    assert items["cicd"].render_title("Checkout", "TASK-12") == "CI/CD pipeline for Checkout"


@pytest.mark.parametrize(
    "key, topics",
    [
        ("cicd", ["once", "digest", "SBOM", "provenance", "scans", "rolls production back"]),
        ("kubernetes", ["limits", "readinessProbe", "livenessProbe", "HorizontalPodAutoscaler", "PodDisruptionBudget",
                        "NetworkPolicy", "Role"]),
        ("observability", ["metrics", "JSON", "traces", "dashboard"]),
        ("slo", ["SLIs", "SLO targets", "error budget", "policy", "runbook_url"]),
    ],
)
def test_the_sre_criteria_cover_every_topic_of_their_area(key, topics):
    [item] = [item for item in sre_playbook.SRE.items if item.key == key]
    text = " ".join(item.criteria)
    assert [topic for topic in topics if topic.lower() not in text.lower()] == []


def test_the_mlops_playbook_covers_drift_llm_metrics_and_rollback():
    items = {item.key: " ".join(item.criteria) for item in mlops_playbook.MLOPS.items}
    assert set(items) == {"mlops:data-drift", "mlops:target-drift", "mlops:concept-drift", "mlops:llm-metrics", "mlops:model-rollback"}
    for key, topics in {
        "mlops:data-drift": ["reference window", "test window slides", "Kolmogorov-Smirnov", "chi-squared", "Maximum Mean Discrepancy"],
        "mlops:target-drift": ["Predicted classes", "chi-squared", "KS test"],
        "mlops:concept-drift": ["quality", "5% below the release baseline"],
        "mlops:llm-metrics": ["tokens", "cost", "empty retrieval rate", "per query type"],
        "mlops:model-rollback": ["previous model version", "immutable identifier"],
    }.items():
        assert [topic for topic in topics if topic not in items[key]] == [], key
    assert all(item.area == "mlops" for item in mlops_playbook.MLOPS.items)


@pytest.mark.parametrize("module", [sre_playbook, mlops_playbook])
def test_the_builtin_playbook_modules_are_plain_plugins(module):
    functions = [name for name, value in vars(module).items() if inspect.isfunction(value) and value.__module__ == module.__name__]
    assert functions == ["register_playbooks"]
    registered = []
    module.register_playbooks(registered.append)
    assert len(registered) == 1 and registered[0].plugin is None


def test_the_sre_playbook_binds_its_criteria_to_checks_wherever_a_machine_can_decide():
    from flowops.checks.binding import find_binding

    bound = {item.key: [find_binding(c).check for c in item.criteria if find_binding(c)] for item in sre_playbook.SRE.items}
    assert bound == {
        "cicd": ["gha.sbom", "gha.provenance", "gha.pinned", "gha.permissions"],
        "kubernetes": ["k8s.resources", "k8s.probes", "k8s.hpa", "k8s.pdb", "k8s.netpol", "k8s.rbac", "k8s.nonroot"],
        "observability": ["file dashboards"],
        "slo": ["prom.rules", "prom.alerts", "ops.runbooks"],
    }
    # What needs a person (a smoke test run, a review of the policies) stays manual.
    manual = [c for item in sre_playbook.SRE.items for c in item.criteria if find_binding(c) is None]
    assert len(manual) == 17

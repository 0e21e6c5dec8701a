"""The criteria lint must agree with people about what is checkable.

Seed 004's examples are the reference calibration; the broader sets below are
realistic operations criteria written for this project.
"""

import pytest

from flowops.acceptance.lint import lint_text

# The operations unit's own examples (seed 004). The first good one is given both as
# plain prose and with its commands in backticks, as it appears in markdown.
SEED_GOOD = [
    "Deployment pipeline runs terraform plan in CI and requires approval before apply",
    "Deployment pipeline runs `terraform plan` in CI and requires approval before `apply`",
    "Runbook covers: service restart, database failover, cache flush, and certificate rotation with step-by-step commands",
    "Alerts fire when error rate exceeds 1% over 5 minutes, with PagerDuty routing",
    "Health check endpoint responds within 5 seconds and verifies database connectivity",
]
SEED_BAD = [
    "Deployment is automated",
    "Runbook exists",
    "Monitoring is set up",
]

GOOD = [
    "`kubectl rollout status deploy/api --timeout=120s` succeeds in the deploy job",
    "The image is built once and promoted to staging and production by sha256 digest; no job after the build stage runs docker build",
    "CI uploads an SBOM in CycloneDX JSON format (sbom.cdx.json) as a build artifact",
    "Every container in k8s/ sets CPU and memory requests and limits, and kubeconform -strict passes on the folder",
    "PodDisruptionBudget keeps minAvailable: 1 for the api Deployment during node drains",
    "HorizontalPodAutoscaler scales the api between 2 and 10 replicas at 70% CPU utilization",
    "Readiness probe on /healthz marks the pod unready after 3 consecutive failures with a 10 s period",
    "NetworkPolicy denies all ingress to the namespace except from the ingress controller on port 8080",
    "Application logs are JSON lines with timestamp, level, trace_id and request_id fields",
    "OpenTelemetry traces are sampled at 10% and exported to otel-collector:4317",
    "Grafana dashboard 'API golden signals' shows p50, p95 and p99 latency, request rate and 5xx rate",
    "Availability SLO is 99.9% of requests answered without a 5xx over a rolling 30-day window",
    "Error budget policy in docs/slo.md freezes feature releases once the monthly budget is spent",
    "promtool check rules monitoring/alerts.yml passes in CI",
    "Every alert rule in monitoring/alerts.yml has a runbook_url annotation that links to its runbook document",
    "Trivy scan fails the build on any CRITICAL vulnerability in the image",
    "Rollback with helm rollback api completes in under 5 minutes and is rehearsed once in staging",
    "Alert fires when p99 latency exceeds 500 ms for 10 minutes and routes to the #api-oncall Slack channel",
    "KS test compares each numeric feature over a 7-day sliding window with the training reference window and alerts at p < 0.01",
    "Alerts are configured to fire when the error rate is above 1% for 5 minutes",
    "File k8s/pdb.yaml exists and sets maxUnavailable: 1",
    "Nightly database backups are restored in a drill every month in under 1 hour",
]

BAD = [
    "CI/CD pipeline is set up",
    "Kubernetes manifests exist",
    "Alerts are configured",
    "Logging works",
    "Tracing is enabled",
    "Dashboards are in place",
    "Rollback is handled properly",
    "SLOs are defined",
    "Security scanning is automated",
    "Autoscaling is configured correctly",
    "Secrets are managed securely",
    "Follow best practices for RBAC",
    "Runbooks are documented",
    "Monitoring covers the important metrics",
    "Deployment is done",
    "The service is highly available",
    "Backups exist and work",
    "Incident response process is established",
    "Drift detection is set up for the model",
    "Monitoring is set up for 2 services",
    "SBOM exists",
    "Error budget is tracked",
    "Setup structured logging with aggregation",
    "Configure AlertManager rules",
    "Helm chart exists",
    "Network policies and RBAC are in place",
    "Health checks work as expected",
    "The on-call team is notified when something goes wrong",
]


def test_the_calibration_sets_are_large_enough():
    assert len(GOOD) >= 15 and len(BAD) >= 15
    assert len(set(GOOD)) == len(GOOD) and len(set(BAD)) == len(BAD)


@pytest.mark.parametrize("criterion", SEED_GOOD + GOOD)
def test_checkable_criteria_pass(plugins_with, criterion):
    assert lint_text(criterion, plugins_with()) == []


@pytest.mark.parametrize("criterion", SEED_BAD + BAD)
def test_vague_criteria_are_flagged_with_a_suggestion(plugins_with, criterion):
    findings = lint_text(criterion, plugins_with())
    assert findings
    for finding in findings:
        assert finding.rule in {"no-measurable-element", "vague-predicate"}
        assert finding.message and finding.suggestion


@pytest.mark.parametrize("criterion", SEED_BAD)
def test_seed_bad_examples_get_both_rules(plugins_with, criterion):
    assert [f.rule for f in lint_text(criterion, plugins_with())] == ["no-measurable-element", "vague-predicate"]

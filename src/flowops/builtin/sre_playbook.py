"""The built-in ``sre`` playbook: what a validated feature needs before it can be called deployed.

Written exactly like a third-party plugin: data plus one ``register_playbooks`` hook.
Every criterion names something a reviewer can check (a number, a threshold, a file,
a command); ``tests/builtin`` runs each one through the criteria lint.
"""

from __future__ import annotations

from flowops.hookspecs import hookimpl
from flowops.ops.playbook import Playbook, PlaybookItem

CICD = PlaybookItem(
    key="cicd",
    title="CI/CD pipeline for {feature}",
    area="cicd",
    description=(
        "Build the artifact once, then promote that same artifact (by digest) through staging to production, "
        "with a software bill of materials, build provenance, security scans and a tested way back."
    ),
    criteria=(
        "The CI workflow in .github/workflows/ builds the container image once per commit and exports its sha256 "
        "digest as a job output",
        "Staging and production deploy jobs reference the image by that sha256 digest; no job after the build stage "
        "runs `docker build`",
        "The build publishes an SBOM in CycloneDX JSON (sbom.cdx.json) for the image digest as a build artifact",
        "SLSA build provenance is attested for the image digest, and `gh attestation verify` (or "
        "`cosign verify-attestation`) passes before the production deploy job starts",
        "SAST, dependency (SCA) and container image scans run on every pull request, and the pipeline fails when "
        "any of them reports 1 or more critical findings",
        "A failed post-deploy smoke test rolls production back to the previous digest automatically within 5 minutes, "
        "and the rollback job has been run once in staging",
    ),
)

KUBERNETES = PlaybookItem(
    key="kubernetes",
    title="Kubernetes deployment for {feature}",
    area="kubernetes",
    description=(
        "Manifests that keep the service up through load, node drains and bad neighbours: resource limits, "
        "probes, autoscaling, a disruption budget, network policy and least-privilege RBAC."
    ),
    criteria=(
        "Every container in the k8s/ manifests sets resources.requests and resources.limits for CPU and memory, "
        "and `kubeconform -strict k8s/` passes in CI",
        "Each container has a readinessProbe and a livenessProbe with explicit periodSeconds and failureThreshold; "
        "the readiness endpoint returns HTTP 200 only while the service's dependencies answer",
        "A HorizontalPodAutoscaler keeps minReplicas at 2 or more and sets maxReplicas and a target (for example 70% "
        "CPU utilization)",
        "A PodDisruptionBudget keeps at least 1 pod available (minAvailable: 1 or maxUnavailable: 1) during node drains",
        "A NetworkPolicy denies all ingress by default and allows only the named callers on the ports the service "
        "listens on",
        "The pods run under their own ServiceAccount bound to a Role that grants only the verbs the service uses "
        "(0 wildcard `*` verbs, no cluster-admin binding), with runAsNonRoot: true",
    ),
)

OBSERVABILITY = PlaybookItem(
    key="observability",
    title="Observability for {feature}",
    area="observability",
    description=(
        "Metrics, structured logs, traces and dashboards that let someone who did not write the service see "
        "what it is doing and why it is slow or failing."
    ),
    criteria=(
        "The service exposes Prometheus metrics at /metrics with request rate, error count and a latency histogram "
        "per endpoint, scraped at least every 30 seconds",
        "Logs are one JSON object per line with timestamp, level, message, trace_id and request_id fields, and a "
        "test asserts that 0 secrets or tokens appear in them",
        "OpenTelemetry traces cover every inbound request and outbound call, propagate the W3C traceparent header and "
        "use a stated sampling rate (for example 10%)",
        "A dashboard committed as JSON under dashboards/ shows the four golden signals: p50/p95/p99 latency, traffic, "
        "errors and saturation",
    ),
)

SLO = PlaybookItem(
    key="slo",
    title="SLOs and alerting for {feature}",
    area="monitoring",
    description=(
        "Say what good service means in numbers (SLIs and SLO targets), how much unreliability is affordable "
        "(the error budget and what happens when it runs out), and alert on burning it, each alert with a runbook."
    ),
    criteria=(
        "docs/slo.md defines the SLIs as queries: availability (share of requests without a 5xx) and latency (share "
        "of requests faster than the latency target)",
        "SLO targets state a value and a window, for example 99.9% availability and p95 latency under 300 ms over a "
        "rolling 30 days",
        "The error budget follows from each target (99.9% over 30 days allows 43.2 minutes of failure) and its "
        "remaining share is shown on the service dashboard",
        "An error budget policy in docs/slo.md states what happens at 50% and at 100% of the budget spent (for example "
        "a release freeze until it recovers)",
        "Burn-rate alert rules (for example 14.4x over 1 hour and 6x over 6 hours) live in a rules file that "
        "`promtool check rules` accepts in CI",
        "Every alert rule carries a severity label and a runbook_url annotation, and each alert has 1 runbook task "
        "created by `flowops operate --alerts`",
    ),
)

SRE = Playbook(
    name="sre",
    description="Operations readiness for a service: CI/CD, Kubernetes, observability, SLOs and alerting",
    items=(CICD, KUBERNETES, OBSERVABILITY, SLO),
)


@hookimpl
def register_playbooks(register):
    register(SRE)

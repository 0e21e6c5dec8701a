"""The built-in ``sre`` playbook: what a validated feature needs before it can be called deployed.

Written exactly like a third-party plugin: data plus one ``register_playbooks`` hook.
Every criterion names something a reviewer can check (a number, a threshold, a file,
a command); ``tests/builtin`` runs each one through the criteria lint. Where a machine
can decide, the criterion is bound to a check (``bound(...)``): ``flowops ac verify``
and the completion gate then judge it by evidence from the repository, not by its tick.
"""

from __future__ import annotations

from flowops.hookspecs import hookimpl
from flowops.ops.playbook import SLO_SPECS, Playbook, PlaybookItem, bound

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
        bound("The build publishes an SBOM in CycloneDX JSON (sbom.cdx.json) for the image digest as a build artifact",
              "gha.sbom"),
        bound("SLSA build provenance is attested for the image digest in the build workflow", "gha.provenance"),
        "`gh attestation verify` (or `cosign verify-attestation`) passes for the image digest before the production "
        "deploy job starts",
        bound("Every action the workflows use from another repository is pinned to a full 40-character commit SHA",
              "gha.pinned"),
        bound("Every workflow sets `permissions` at the top or on every job, and none grants write-all",
              "gha.permissions"),
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
        bound("Every container and init container in the manifests sets resources.requests and resources.limits for "
              "CPU and memory", "k8s.resources"),
        "`kubeconform -strict` passes on every manifest in CI",
        bound("Every container of each Deployment, StatefulSet and DaemonSet has a readinessProbe and a livenessProbe",
              "k8s.probes"),
        "Each probe sets explicit periodSeconds and failureThreshold, and the readiness endpoint returns HTTP 200 only "
        "while the service's dependencies answer",
        bound("A HorizontalPodAutoscaler keeps minReplicas at 2 or more for every Deployment and StatefulSet, with "
              "maxReplicas and a target (for example 70% CPU utilization)", "k8s.hpa"),
        bound("A PodDisruptionBudget keeps at least 1 pod available (minAvailable: 1 or maxUnavailable: 1) during node "
              "drains", "k8s.pdb"),
        bound("A NetworkPolicy with `podSelector: {}` denies all ingress by default in every namespace with workloads",
              "k8s.netpol"),
        "NetworkPolicies allow ingress only from the named callers on the ports the service listens on",
        bound("No Role or ClusterRole rule has a wildcard `*` in verbs or resources, and 0 bindings grant cluster-admin",
              "k8s.rbac"),
        bound("Every container runs with runAsNonRoot: true, privileged unset and allowPrivilegeEscalation: false",
              "k8s.nonroot"),
        "The pods run under their own ServiceAccount bound to a Role that grants only the verbs the service uses",
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
        bound("A dashboard is committed as Grafana JSON under dashboards/", "file dashboards"),
        "The dashboard shows the four golden signals: p50/p95/p99 latency, traffic, errors and saturation",
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
        bound("Burn-rate alert rules (for example 14.4x over 1 hour and 6x over 6 hours) live in rule files that "
              "`promtool check rules` accepts", "prom.rules"),
        bound("Every alert rule carries a severity label, a runbook_url annotation and a summary or description "
              "annotation", "prom.alerts"),
        bound("Each alert has 1 runbook task created by `flowops operate` and a runbook document with 0 skeleton "
              "prompts left", "ops.runbooks"),
    ),
    # With SLO specs in the repository (Sloth or OpenSLO), the SLIs, targets and burn-rate
    # rules are code: the machine can judge the specs and the rules generated from them.
    # Written as the (fact, criteria) pairs PlaybookItem stores (a mapping is accepted too).
    criteria_when=((SLO_SPECS, (
        "The SLO specs define each SLI as queries: availability as the share of requests without a 5xx, latency as "
        "the share of requests faster than the latency target",
        bound("Every SLO spec is valid for `flowops slo validate` and states an objective and a period, for example "
              "99.9% over a rolling 30 days", "slo.specs"),
        "`flowops slo budget` shows each SLO's error budget (99.9% over 30 days allows 43.2 minutes of failure) and "
        "the service dashboard shows the remaining share from slo:period_error_budget_remaining:ratio",
        "An error budget policy in docs/slo.md states what happens at 50% and at 100% of the budget spent (for example "
        "a release freeze until it recovers)",
        bound("The burn-rate rules `flowops slo generate` writes from the SLO specs (page at 14.4x over 1 hour and 6x "
              "over 6 hours, ticket at 3x over 1 day and 1x over 3 days) are committed, current with the specs, and "
              "`promtool check rules` accepts them", "slo.rules"),
        bound("Every alert rule carries a severity label, a runbook_url annotation and a summary or description "
              "annotation", "prom.alerts"),
        bound("Each alert has 1 runbook task created by `flowops operate` and a runbook document with 0 skeleton "
              "prompts left", "ops.runbooks"),
    )),),
)

SRE = Playbook(
    name="sre",
    description="Operations readiness for a service: CI/CD, Kubernetes, observability, SLOs and alerting",
    items=(CICD, KUBERNETES, OBSERVABILITY, SLO),
)


@hookimpl
def register_playbooks(register):
    register(SRE)

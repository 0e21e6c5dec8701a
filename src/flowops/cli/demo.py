"""``flowops demo [DIR]``: the whole story in one command, each step printed as a command to repeat.

A fresh project gets a feature task that is walked to Validated (the validate gate
refuses it while its criteria are unchecked), a small service repository (Kubernetes
manifests, a CI workflow, a dashboard, alert rules, a Sloth SLO spec) and a command
handler that records events. ``flowops slo`` shows the error budgets and generates the
burn-rate rules (``promtool check rules`` runs on them when promtool is installed, and
the tour says when it is not). ``flowops discover`` lists the repository, ``flowops
operate`` creates the operations work, with a runbook per alert of the alert files and
of the SLO spec, and links the generated rules to those runbooks; a criterion bound to
a check fails with evidence (a Deployment without probes), the manifest is fixed and
``ac verify --update`` passes and ticks it; then the rest of the work is done, the SLO
task's evidence is shown, and ``flowops operate --complete`` verifies every bound
criterion and moves the feature to Deployed, which delivers ``deploy.completed`` to the
handler. Commands run in-process, so the tour takes seconds.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
import tempfile
from contextlib import chdir, contextmanager
from pathlib import Path

import click

from flowops.errors import FlowopsError, UsageError

ALERTS_YAML = """\
groups:
  - name: checkout
    rules:
      - alert: CheckoutHighErrorRate
        expr: |
          sum(rate(http_requests_total{service="checkout",code=~"5.."}[5m]))
            / sum(rate(http_requests_total{service="checkout"}[5m])) > 0.01
        for: 5m
        labels: {severity: critical}
        annotations:
          summary: More than 1% of checkout requests fail
          runbook_url: https://runbooks.example.com/checkout#high-error-rate
      - alert: CheckoutHighLatency
        expr: histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{service="checkout"}[5m]))) > 0.2
        for: 10m
        labels: {severity: warning}
        annotations:
          summary: Checkout p95 latency above 200 ms
          runbook_url: https://runbooks.example.com/checkout#high-latency
      - alert: CheckoutPodCrashLooping
        expr: increase(kube_pod_container_status_restarts_total{namespace="checkout"}[15m]) > 3
        for: 0m
        labels: {severity: warning}
        annotations:
          summary: A checkout pod restarted more than 3 times in 15 minutes
          runbook_url: https://runbooks.example.com/checkout#crash-looping
"""

# The Kubernetes manifests as first written: the container has no probes yet.
CONTAINER = """\
        - name: api
          image: ghcr.io/example/checkout:1.0.0
          ports: [{containerPort: 8080, name: http}]
          resources:
            requests: {cpu: 250m, memory: 256Mi}
            limits: {cpu: "1", memory: 512Mi}
          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true}
"""
PROBES = """\
          readinessProbe:
            httpGet: {path: /healthz/ready, port: http}
            periodSeconds: 5
            failureThreshold: 3
          livenessProbe:
            httpGet: {path: /healthz/live, port: http}
            periodSeconds: 10
            failureThreshold: 6
"""
K8S_YAML = """\
apiVersion: v1
kind: ServiceAccount
metadata: {name: checkout, namespace: checkout}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: checkout, namespace: checkout}
spec:
  selector:
    matchLabels: {app: checkout}
  template:
    metadata:
      labels: {app: checkout}
    spec:
      serviceAccountName: checkout
      securityContext: {runAsNonRoot: true, runAsUser: 10001}
      containers:
""" + CONTAINER + """\
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: checkout, namespace: checkout}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: checkout}
  minReplicas: 2
  maxReplicas: 10
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: checkout, namespace: checkout}
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app: checkout}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-ingress, namespace: checkout}
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: checkout, namespace: checkout}
rules:
  - {apiGroups: [""], resources: [configmaps], verbs: [get, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: checkout, namespace: checkout}
subjects: [{kind: ServiceAccount, name: checkout, namespace: checkout}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: checkout}
"""

WORKFLOW_YAML = """\
name: checkout
on: [push, pull_request]
permissions: {contents: read}
jobs:
  build:
    runs-on: ubuntu-24.04
    permissions: {contents: read, packages: write, id-token: write, attestations: write}
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - id: image
        uses: docker/build-push-action@48aba3b46d1b1fec4febb7c5d0c644b249a11355 # v6.10.0
        with: {push: true, tags: "ghcr.io/example/checkout:${{ github.sha }}"}
      - run: syft ghcr.io/example/checkout@${{ steps.image.outputs.digest }} -o cyclonedx-json=sbom.cdx.json
      - uses: actions/attest-build-provenance@7668571508540a607bdfd90a87a560489fe372eb # v2.1.0
        with: {subject-name: ghcr.io/example/checkout, subject-digest: "${{ steps.image.outputs.digest }}"}
"""

DASHBOARD_JSON = """\
{"title": "Checkout", "uid": "checkout", "schemaVersion": 39, "panels": [
  {"type": "timeseries", "title": "p95 latency"}, {"type": "timeseries", "title": "Requests per second"},
  {"type": "stat", "title": "Error ratio"}, {"type": "gauge", "title": "CPU saturation"}]}
"""

# The checkout service's SLOs as Sloth reads them: flowops turns them into burn-rate rules and runbooks.
SLO_SPEC = """\
version: prometheus/v1
service: checkout
labels: {team: payments}
slos:
  - name: requests-availability
    objective: 99.9
    description: Checkout requests answered without a server error.
    sli:
      events:
        error_query: sum(rate(http_requests_total{service="checkout",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{service="checkout"}[{{.window}}]))
    alerting:
      name: CheckoutAvailabilityBurn
      page_alert: {labels: {routing: pagerduty-payments}}
      ticket_alert: {labels: {routing: jira-payments}}
  - name: requests-latency
    objective: 99
    description: Checkout requests served within 200 ms.
    sli:
      events:
        error_query: >-
          sum(rate(http_request_duration_seconds_count{service="checkout"}[{{.window}}]))
          - sum(rate(http_request_duration_seconds_bucket{service="checkout",le="0.2"}[{{.window}}]))
        total_query: sum(rate(http_request_duration_seconds_count{service="checkout"}[{{.window}}]))
    alerting:
      name: CheckoutLatencyBurn
      ticket_alert: {disable: true}
"""
SLO_RULES = "monitoring/slo-rules.yml"

HOOKS_YAML = """\
version: 1
defaults: {timeout: 30, fail_mode: continue}
hooks:
  - name: record-events
    events: ["deploy.*", "operate.*", "workflow.*"]
    command: ["scripts/record-event.sh"]
"""

RECORDER = """\
#!/bin/sh
# A command handler: flowops passes the event (CloudEvents JSON) on stdin.
cat >> events-received.jsonl
echo >> events-received.jsonl
"""

# What an on-call engineer would write into each runbook section (the demo's "work").
RUNBOOK_TEXT = {
    "Symptoms": "- Checkout responses slow down or fail; the error-rate and latency panels of the checkout "
    "dashboard rise together.",
    "Diagnosis": "1. `kubectl -n checkout get pods` shows restarts or pending pods.\n"
    "2. `kubectl -n checkout logs deploy/checkout --since=15m | grep -i error` names the failing dependency.\n"
    "3. Compare with the last deploy: `kubectl -n checkout rollout history deploy/checkout`.",
    "Resolution": "- Dependency down: fail over with `kubectl -n checkout set env deploy/checkout PAYMENTS_URL=$STANDBY_URL`.\n"
    "- Capacity: `kubectl -n checkout scale deploy/checkout --replicas=6`.\n"
    "- Confirm the alert expression is back under its threshold for 10 minutes.",
    "Rollback": "- `kubectl -n checkout rollout undo deploy/checkout`, then `kubectl -n checkout rollout status "
    "deploy/checkout`; post the result in #checkout-ops.",
    "Escalation": "- Page the checkout on-call through PagerDuty service CHECKOUT; after 15 minutes without "
    "progress, page the payments team lead.",
}


class _Tour:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.step = 0

    def say(self, text: str) -> None:
        self.step += 1
        click.secho(f"\n[{self.step}] {text}", bold=True)

    def run(self, *args: str, expect: int = 0, quiet: bool = False) -> str:
        """Run ``flowops ARGS`` in the demo project, print the command and its output."""
        from flowops.cli import main
        from flowops.plugins import reset_plugins

        click.secho("$ flowops " + " ".join(shlex.quote(a) for a in args), fg="cyan")
        reset_plugins()
        with _captured() as out:
            code = main(list(args))
        text = out.getvalue()
        if not quiet and text.strip():
            click.echo(text.rstrip("\n"))
        if code != expect:
            raise FlowopsError(f"demo step `flowops {' '.join(args)}` exited {code}, expected {expect}")
        if expect:
            click.secho(f"(exit {code}, as expected)", fg="yellow")
        return text


@contextmanager
def _captured():
    import io

    buffer = io.StringIO()
    saved = sys.stdout
    sys.stdout = buffer
    try:
        yield buffer
    finally:
        sys.stdout = saved


def _prepare_dir(directory: str | None) -> Path:
    if directory is None:
        return Path(tempfile.mkdtemp(prefix="flowops-demo-"))
    root = Path(directory).resolve()
    if root.exists() and any(root.iterdir()):
        raise UsageError(f"{root} is not empty", hint="give a new or empty folder, or no folder for a temporary one")
    root.mkdir(parents=True, exist_ok=True)
    return root


def _write(root: Path, rel: str, text: str, *, executable: bool = False) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if executable:
        path.chmod(0o755)


def _first_alert(rules: str) -> str:
    """The header and the first alerting rule of a generated rules file, for showing."""
    lines = rules.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("- alert:"))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("- alert:")), len(lines))
    return "\n".join([*lines[:2], "...", *lines[start:end], "..."])


def _promtool_check(path: str) -> None:
    """``promtool check rules PATH`` when promtool is installed; otherwise say the step was skipped."""
    promtool = shutil.which("promtool")
    click.secho(f"$ promtool check rules {path}", fg="cyan")
    if promtool is None:
        click.echo("(promtool is not installed here: the promtool step was skipped; the slo.rules check will say so "
                   "too. Debian/Ubuntu: apt install prometheus)")
        return
    try:
        done = subprocess.run([promtool, "check", "rules", path], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        click.echo(f"(promtool could not run: {exc}; the step was skipped)")
        return
    click.echo((done.stdout + done.stderr).rstrip("\n"))
    if done.returncode != 0:
        raise FlowopsError(f"promtool rejected the generated {path}")


def _filled_runbook(body: str) -> str:
    """Replace each section's skeleton with the demo's text (as an engineer would)."""
    from flowops.ops.runbooks import SECTIONS

    lines = body.split("\n")
    out: list[str] = []
    current = None
    for line in lines:
        heading = line[3:].strip() if line.startswith("## ") else None
        if heading is not None:
            current = heading if heading in SECTIONS else None
            out.append(line)
            if current:
                out += ["", RUNBOOK_TEXT[current], ""]
            continue
        if current:
            continue  # the skeleton lines of this section are replaced
        out.append(line)
    return "\n".join(out).rstrip("\n") + "\n"


@click.command("demo")
@click.argument("directory", required=False)
def demo_command(directory: str | None) -> None:
    """Show the whole flow on a fresh project: tasks, workflow, operate, runbooks, deploy.completed."""
    root = _prepare_dir(directory)
    tour = _Tour(root)
    click.secho(f"flowops demo in {root}", bold=True)
    with chdir(root):
        tour.say("A git repository and flowops set up in it")
        click.secho("$ git init", fg="cyan")
        try:
            subprocess.run(["git", "init", "-q"], check=True)
        except (OSError, subprocess.CalledProcessError):
            click.echo("(git is not available: continuing without a repository)")
        tour.run("init", "checkout-demo")

        tour.say("A feature task; operate is refused while it is not validated")
        tour.run("task", "create", "Checkout service", "-d", "Let customers pay for their basket.",
                 "--ac", "POST /checkout returns 201 for a valid basket", "--ac", "p95 latency below 200 ms at 50 rps",
                 "-l", "backend")
        tour.run("workflow", "check", "operate", "TASK-1", expect=4)

        tour.say("The feature goes through the workflow; validate's gate wants its criteria checked first")
        for workflow in ("specify", "plan", "implement"):
            tour.run("workflow", "advance", workflow, "TASK-1", quiet=True)
        tour.run("workflow", "advance", "validate", "TASK-1", expect=3)
        tour.run("task", "edit", "TASK-1", "--check-ac", "1", "--check-ac", "2", quiet=True)
        tour.run("workflow", "advance", "validate", "TASK-1")

        tour.say("The service's repository: manifests, a CI workflow, a dashboard, alert rules, an SLO spec; "
                 "and an event recorder")
        _write(root, "k8s/checkout.yaml", K8S_YAML)
        _write(root, ".github/workflows/checkout.yml", WORKFLOW_YAML)
        _write(root, "dashboards/checkout.json", DASHBOARD_JSON)
        _write(root, "monitoring/alerts.yml", ALERTS_YAML)
        _write(root, "slo/checkout.sloth.yml", SLO_SPEC)
        _write(root, "scripts/record-event.sh", RECORDER, executable=True)
        _write(root, ".flowops/hooks.yaml", HOOKS_YAML)
        click.echo("wrote k8s/checkout.yaml, .github/workflows/checkout.yml, dashboards/checkout.json, "
                   "monitoring/alerts.yml, slo/checkout.sloth.yml, scripts/record-event.sh, .flowops/hooks.yaml")

        tour.say("SLOs as code: the Sloth spec's error budgets, and the burn-rate rules generated from it")
        tour.run("slo", "budget", "slo/checkout.sloth.yml", "--plain")
        tour.run("slo", "generate", "slo/checkout.sloth.yml", "-o", SLO_RULES)
        rules = (root / SLO_RULES).read_text(encoding="utf-8")
        counts = f"{rules.count('- record:')} recording rules and {rules.count('- alert:')} alerts in all"
        click.secho(f"$ cat {SLO_RULES}   (its header and first alert; {counts})", fg="cyan")
        click.echo(_first_alert(rules))
        _promtool_check(SLO_RULES)
        tour.run("discover")

        tour.say("operate creates the operations tasks, and one runbook task and document per alert: "
                 "those of the alert files and those the SLO spec generates")
        tour.run("operate", "TASK-1")
        again = tour.run("operate", "TASK-1", "--plain", quiet=True)
        summary = next(line for line in again.splitlines() if " tasks created, " in line)
        click.echo("... " + summary + "   (run again: everything reused)")
        tour.run("task", "list", "-p", "TASK-1", "--plain")

        tour.say("Completing is refused while the work is not done")
        tour.run("operate", "TASK-1", "--complete", expect=3, quiet=True)
        click.echo("(exit 3: every operations task is still To Do; `flowops operate TASK-1 --status` shows the list)")

        listing = json.loads(tour.run("task", "list", "-p", "TASK-1", "--json", quiet=True))
        kubernetes = next(t["id"] for t in listing["tasks"] if "ops:kubernetes" in t["labels"])
        tour.say("Evidence, not ticks: the Kubernetes criteria bound to checks are verified against the manifests")
        tour.run("ac", "verify", kubernetes, expect=3)
        click.secho("The readiness and liveness probes are missing: adding them to k8s/checkout.yaml", fg="cyan")
        _write(root, "k8s/checkout.yaml", K8S_YAML.replace(CONTAINER, CONTAINER + PROBES))
        tour.run("ac", "verify", kubernetes, "--update")

        tour.say("The rest of the work: each operations task's criteria checked and the task set to Done")
        for task in listing["tasks"]:
            checks = [arg for n in range(1, task["acceptanceCriteriaCount"] + 1) for arg in ("--check-ac", str(n))]
            tour.run("task", "edit", task["id"], *checks, "-s", "Done", quiet=True)

        tour.say("The runbooks: each document's sections written")
        documents = json.loads(tour.run("doc", "list", "--json", quiet=True))["documents"]
        for document in documents:
            body = json.loads(tour.run("doc", "view", document["id"], "--json", quiet=True))["document"]["body"]
            filled = root / ".flowops" / "cache" / f"{document['id']}.md"
            filled.parent.mkdir(parents=True, exist_ok=True)
            filled.write_text(_filled_runbook(body), encoding="utf-8")
            tour.run("doc", "edit", document["id"], "--file", str(filled.relative_to(root)))
        tour.run("operate", "TASK-1", "--status")
        slo = next(t["id"] for t in listing["tasks"] if "ops:slo" in t["labels"])
        tour.say("The SLO task's evidence: valid specs, rules current with them (and promtool's verdict), runbooks")
        tour.run("ac", "verify", slo)

        tour.say("Complete: every bound criterion is verified, the feature becomes Deployed, deploy.completed is delivered")
        tour.run("operate", "TASK-1", "--complete", "--spec-id", "checkout", "-f", "k8s", "-f", "monitoring/alerts.yml",
                 "-f", SLO_RULES)
        tour.run("workflow", "status", "TASK-1")
        received = [json.loads(line) for line in (root / "events-received.jsonl").read_text().splitlines() if line.strip()]
        deploy = [event for event in received if event["type"] == "deploy.completed"]
        if not deploy:
            raise FlowopsError("deploy.completed did not reach the handler")
        click.secho("$ grep deploy.completed events-received.jsonl", fg="cyan")
        click.echo(json.dumps(deploy[-1], indent=2))
        tour.say(f"Done. The project is in {root}; the audit log is .git/flowops/log/events.jsonl")

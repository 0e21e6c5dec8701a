#!/usr/bin/env python3
"""How long `flowops discover` and `flowops ac verify` take on generated service repositories.

discover: a git repository of --files files (default 2,000), --manifests of them (default
200) Kubernetes manifests of one to four documents each; the rest is what a service
repository also holds (Python and Go sources, Markdown, JSON and YAML configs that are
no operations artefact, a few rule files and workflows). Timed as fresh processes:
`flowops discover --json`. Target: <= 0.5 s median.

verify: a repository with 20 manifests and a 50-alert rule file, a Validated feature
whose sre operations tasks (with their bound criteria) and 50 runbook tasks and
documents are created by `flowops operate`; then `flowops ac verify FEATURE --recursive
--json` is timed. promtool is kept off PATH and no criterion runs `cmd`, as the target
excludes both: <= 1 s median.

    python bench/bench_evidence.py [--files 2000] [--manifests 200] [--runs 9]

Prints the medians as a markdown snippet for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOWOPS = str(Path(sys.executable).with_name("flowops"))
DISCOVER_BUDGET_S = 0.5
VERIFY_BUDGET_S = 1.0

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {namespace}
  labels: {{app.kubernetes.io/name: {name}, app.kubernetes.io/part-of: shop}}
spec:
  replicas: 2
  selector:
    matchLabels: {{app.kubernetes.io/name: {name}}}
  template:
    metadata:
      labels: {{app.kubernetes.io/name: {name}}}
    spec:
      serviceAccountName: {name}
      securityContext: {{runAsNonRoot: true, runAsUser: 10001}}
      containers:
        - name: app
          image: ghcr.io/example/{name}:1.{n}.0
          ports: [{{containerPort: 8080, name: http}}]
          env:
            - {{name: LOG_LEVEL, value: info}}
            - {{name: OTEL_EXPORTER_OTLP_ENDPOINT, value: "http://otel-collector.observability:4317"}}
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{cpu: 500m, memory: 256Mi}}
          readinessProbe:
            httpGet: {{path: /ready, port: http}}
            periodSeconds: 5
          livenessProbe:
            httpGet: {{path: /live, port: http}}
            periodSeconds: 10
          securityContext: {{allowPrivilegeEscalation: false, readOnlyRootFilesystem: true}}
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  selector: {{app.kubernetes.io/name: {name}}}
  ports: [{{port: 80, targetPort: http}}]
"""
HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}
  minReplicas: 2
  maxReplicas: 10
  metrics:
    - type: Resource
      resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 70}}}}
"""
PDB = """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {{app.kubernetes.io/name: {name}}}
"""
NETPOL = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: default-deny, namespace: {namespace}}}
spec:
  podSelector: {{}}
  policyTypes: [Ingress]
"""
RBAC = """\
apiVersion: v1
kind: ServiceAccount
metadata: {{name: {name}, namespace: {namespace}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: {name}, namespace: {namespace}}}
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: {name}, namespace: {namespace}}}
subjects: [{{kind: ServiceAccount, name: {name}, namespace: {namespace}}}]
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: {name}}}
"""
WORKFLOW = """\
name: ci
on: [push, pull_request]
permissions: {contents: read}
jobs:
  build:
    runs-on: ubuntu-24.04
    permissions: {contents: read, packages: write, id-token: write, attestations: write}
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
      - id: build
        uses: docker/build-push-action@48aba3b46d1b1fec4febb7c5d0c644b249a11355
        with: {push: true, tags: ghcr.io/example/shop:latest}
      - uses: anchore/sbom-action@df80a981bc6edbc4e220a492d3cbe9f5547a6e75
        with: {image: ghcr.io/example/shop, format: cyclonedx-json}
      - uses: actions/attest-build-provenance@7668571508540a607bdfd90a87a560489fe372eb
        with: {subject-name: ghcr.io/example/shop, subject-digest: "${{ steps.build.outputs.digest }}"}
"""


def manifest(n: int) -> str:
    """One manifest file: a Deployment alone, or with its Service, autoscaler and budget."""
    name, namespace = f"svc-{n:03d}", f"team-{n % 12}"
    parts = [DEPLOYMENT.format(name=name, namespace=namespace, n=n)]
    extra = (SERVICE, HPA, PDB)[: n % 4]
    parts += [part.format(name=name, namespace=namespace) for part in extra]
    return "---\n".join(parts)


def rules(count: int) -> str:
    lines = ["groups:"]
    for start in range(0, count, 10):
        lines += [f"  - name: service-{start // 10}", "    rules:"]
        for n in range(start, min(start + 10, count)):
            lines += [
                f"      - alert: BenchAlert{n:03d}",
                f'        expr: sum(rate(http_requests_total{{job="svc{n}",code=~"5.."}}[5m])) > {n % 9 + 1}',
                f"        for: {n % 10 + 1}m",
                f"        labels: {{severity: {'critical' if n % 3 == 0 else 'warning'}}}",
                "        annotations:",
                f"          summary: More than {n % 9 + 1} errors per second on svc{n}",
                f"          runbook_url: https://runbooks.example.com/svc{n}#triage",
            ]
    return "\n".join(lines) + "\n"


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def git_commit(root: Path) -> None:
    for argv in (["git", "init", "-q", "-b", "main"], ["git", "config", "user.email", "bench@example.com"],
                 ["git", "config", "user.name", "Bench"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "bench"]):
        subprocess.run(argv, cwd=root, check=True, stdout=subprocess.DEVNULL)


def build_discover_repo(root: Path, files: int, manifests: int) -> None:
    rng = random.Random(12)
    for n in range(manifests):
        write(root, f"deploy/{['base', 'overlays/prod', 'overlays/staging', 'apps'][n % 4]}/svc-{n:03d}.yaml", manifest(n))
    for n in range(12):
        write(root, f"deploy/namespaces/team-{n}.yaml", NETPOL.format(namespace=f"team-{n}") + "---\n"
              + RBAC.format(name=f"team-{n}", namespace=f"team-{n}"))
    write(root, "monitoring/rules/services.rules.yml", rules(50))
    write(root, ".github/workflows/ci.yml", WORKFLOW)
    write(root, "Dockerfile", "FROM python:3.12-slim\nUSER 10001\n")
    made = manifests + 15
    kinds = ("src/shop/{}.py", "internal/{}/handler.go", "docs/{}.md", "config/{}.json", "config/{}.yaml", "tests/test_{}.py")
    n = 0
    while made < files:
        rel = kinds[n % len(kinds)].format(f"module_{n:04d}")
        if rel.endswith(".py"):
            status = rng.choice([200, 201, 204])
            text = f'"""Module {n}."""\n\n\ndef handle_{n}(request):\n    return {{"status": {status}}}\n' * 6
        elif rel.endswith(".go"):
            text = f"package handler\n\nfunc Handle{n}() int {{ return {n} }}\n" * 8
        elif rel.endswith(".md"):
            text = f"# Topic {n}\n\n" + "Some prose about the service and its operations. " * 40 + "\n"
        elif rel.endswith(".json"):
            text = f'{{"feature_flags": {{"checkout_v2": true, "limit": {n}}}, "regions": ["eu-west-1", "us-east-1"]}}\n'
        else:
            text = f"feature_flags:\n  checkout_v2: true\n  limit: {n}\nregions: [eu-west-1, us-east-1]\n"
        write(root, rel, text)
        made += 1
        n += 1
    git_commit(root)


def build_verify_repo(root: Path, env: dict) -> str:
    for n in range(20):
        write(root, f"k8s/svc-{n:02d}.yaml", "---\n".join(
            [DEPLOYMENT.format(name=f"svc-{n:02d}", namespace="shop", n=n)]
            + [t.format(name=f"svc-{n:02d}", namespace="shop") for t in (SERVICE, HPA, PDB)]))
    write(root, "k8s/namespace.yaml", NETPOL.format(namespace="shop") + "---\n" + RBAC.format(name="shop", namespace="shop"))
    write(root, "monitoring/alerts.yml", rules(50))
    write(root, ".github/workflows/ci.yml", WORKFLOW)
    git_commit(root)

    def flowops(*args: str) -> str:
        proc = subprocess.run([FLOWOPS, *args], cwd=root, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"flowops {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
        return proc.stdout

    flowops("init")
    flowops("task", "create", "Checkout service", "-l", "workflow:Validated")
    flowops("operate", "TASK-1", "--alerts", "monitoring/alerts.yml")
    return "TASK-1"


def timed(argv: list[str], cwd: Path, env: dict, runs: int, ok: tuple[int, ...] = (0,)) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True)
        samples.append(time.perf_counter() - start)
        if proc.returncode not in ok:
            raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.decode()[:800]}")
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--manifests", type=int, default=200)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # No promtool: the verify target leaves it out (prom.rules is then skipped, quickly).
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not (Path(p) / "promtool").exists())
    work = Path(tempfile.mkdtemp(prefix="flowops-bench-evidence-"))
    try:
        discover_root = work / "discover"
        build_discover_repo(discover_root, args.files, args.manifests)
        listed = subprocess.run(["git", "ls-files"], cwd=discover_root, capture_output=True, text=True).stdout.count("\n")
        timed([FLOWOPS, "discover", "--json"], discover_root, env, 1)  # compile caches, warm the page cache
        discover = timed([FLOWOPS, "discover", "--json"], discover_root, env, args.runs)
        verify_root = work / "verify"
        verify_root.mkdir()
        feature = build_verify_repo(verify_root, env)
        command = [FLOWOPS, "ac", "verify", feature, "--recursive", "--json"]
        timed(command, verify_root, env, 1, ok=(0, 3))
        verify = timed(command, verify_root, env, args.runs, ok=(0, 3))
        report = json.loads(subprocess.run(command, cwd=verify_root, env=env, capture_output=True, text=True).stdout)
        version = subprocess.run([FLOWOPS, "--version"], capture_output=True, text=True).stdout.strip()
        print(f"<!-- {version}, Python {platform.python_version()}, {os.cpu_count()} cores, {args.runs} runs -->")
        print("| case | median | min | max | target |")
        print("|---|---|---|---|---|")
        for label, samples, budget in (
            (f"`discover --json`, {listed:,} files, {args.manifests} manifests", discover, DISCOVER_BUDGET_S),
            ("`ac verify FEATURE --recursive --json`, 20 manifests, 50 alerts", verify, VERIFY_BUDGET_S),
        ):
            median = statistics.median(samples)
            verdict = "met" if median <= budget else "**not met**"
            print(f"| {label} | {median:.3f} s | {min(samples):.3f} s | {max(samples):.3f} s | <= {budget} s: {verdict} |")
        counts = ", ".join(f"{n} {status}" for status, n in report["summary"].items())
        print(f"\nac verify judged {len(report['results'])} criteria of {len({r['taskId'] for r in report['results']})} "
              f"tasks: {counts}.")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The evidence fixtures: a realistic service repository (tests/data/evidence/shop) to discover and check.

What it holds, and what the checks must find in it:

- deploy/shop.yaml: namespace shop with Deployments frontend (complete), checkout
  (no probes, runs as root with privilege escalation, HPA minReplicas 1, no PDB) and
  StatefulSet cart-db (no limits, no HPA, a PDB with maxUnavailable 0), a default-deny
  NetworkPolicy, a Role with '*' verbs and resources.
- deploy/batch.yaml: namespace batch with a privileged CronJob, an allow-all
  NetworkPolicy (not a default deny) and a ClusterRoleBinding to cluster-admin.
- k8s/base (kustomize, complete Deployment payments) and k8s/overlays/prod (a patch).
- charts/shop: a Helm chart whose templates are not YAML until rendered.
- monitoring/prometheus-rules.yaml: two PrometheusRule resources with warning/critical
  pairs (CheckoutLatencyHigh warning lacks a runbook_url); monitoring/rules/node.rules.yml:
  a plain rule file (NodeDown lacks severity and runbook_url).
- .github/workflows/ci.yml (SHA-pinned, permissions, SBOM, provenance) and
  release.yml (tag/branch-pinned, no permissions, a local action and a docker:// step).
- slo/ (Sloth and OpenSLO), dashboards/checkout.json (Grafana), two Dockerfiles.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SHOP = Path(__file__).resolve().parents[1] / "data" / "evidence" / "shop"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def copy_shop(destination: Path, *, init_git: bool = True, commit: bool = False) -> Path:
    """A copy of the shop repository at ``destination`` (a git repository unless ``init_git`` is False)."""
    shutil.copytree(SHOP, destination, dirs_exist_ok=True)
    if init_git and not (destination / ".git").exists():
        git(destination, "init", "-q", "-b", "main")
        git(destination, "config", "user.name", "Test User")
        git(destination, "config", "user.email", "test@example.com")
        git(destination, "config", "commit.gpgsign", "false")
    if commit:
        git(destination, "add", "-A")
        git(destination, "commit", "-q", "-m", "shop")
    return destination

"""`flowops discover` and `flowops slo` tell SLO specs apart with one test and read them with one reader."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flowops.discovery.inventory import discover
from flowops.slo.specs import is_spec_object, read_specs

DATA = Path(__file__).resolve().parents[1] / "data" / "slo"

# YAML that mentions what a spec header says without being a spec: never listed, never an error.
DECOYS = {
    "docker-compose.yml": 'version: "3.8"\nservices:\n  sloth:\n    image: ghcr.io/slok/sloth:v0.11.0\n',
    "ci/oslo.yml": "jobs:\n  lint:\n    image: openslo/oslo:v0.12.0\n    script: [oslo validate -f slo/]\n",
    "k8s/slo-config.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: slo-specs}\n"
        "data:\n  checkout.yml: |\n    version: prometheus/v1\n    service: checkout\n"),
    "notes/rules.yml": "groups:\n  - name: notes\n    rules: []\n# generated from prometheus/v1 specs by hand\n",
}


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copytree(DATA / "specs", root / "slo")
    shutil.copytree(DATA / "workflow" / "slo", root / "slo" / "workflow")
    for rel, text in DECOYS.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_discover_lists_exactly_the_slos_slo_validate_reads(repo):
    inventory = discover(repo)
    read = read_specs([repo], root=repo)
    assert read.problems == [] and inventory.problems == []
    assert inventory.slo_files == read.files == [
        "slo/catalog.openslo-v1.yml", "slo/checkout.sloth.yml", "slo/payments.openslo-v1alpha.yml",
        "slo/search.sloth-k8s.yml", "slo/workflow/catalog.openslo.yml", "slo/workflow/checkout.sloth.yml"]
    assert [(s.id, s.source, s.line, s.objective) for s in inventory.slos] == [
        (s.id, s.source, s.line, s.objective) for s in read.slos]
    assert not any(path in inventory.slo_files for path in DECOYS)


def test_the_one_test_of_a_spec_object():
    assert is_spec_object({"version": "prometheus/v1", "service": "x"})
    assert is_spec_object({"apiVersion": "sloth.slok.dev/v1", "kind": "PrometheusServiceLevel"})
    assert is_spec_object({"apiVersion": "openslo/v1", "kind": "Service"})  # part of a spec, read past
    assert is_spec_object({"apiVersion": "openslo/v2", "kind": "SLO"})  # meant as one: its version is the problem
    assert not is_spec_object({"version": "3.8", "services": {}})
    assert not is_spec_object({"version": "prometheus/v1", "apiVersion": "v1", "kind": "ConfigMap"})
    assert not is_spec_object(["openslo/v1"])


def test_an_invalid_spec_is_a_discover_problem_with_the_line_slo_validate_gives(repo, flowops_in):
    spec = repo / "slo" / "checkout.sloth.yml"
    spec.write_text(spec.read_text().replace("objective: 99.9", "objective: 199.9"))
    found = json.loads(flowops_in(repo, "discover --json").stdout)
    problems = [p for p in found["problems"] if p["path"] == "slo/checkout.sloth.yml"]
    validate = json.loads(flowops_in(repo, "slo validate slo --json").stdout)
    errors = [p for p in validate["problems"] if p["severity"] == "error"]
    assert [(p["line"], p["message"]) for p in problems] == [
        (e["line"], f"invalid SLO spec: {e['field']}: {e['message']}") for e in errors]
    # The spec's other SLO is still listed; the invalid one is not.
    assert "checkout-requests-availability" not in [s["id"] for s in found["slos"]]
    assert "checkout-requests-latency" in [s["id"] for s in found["slos"]]


@pytest.fixture
def flowops_in(monkeypatch):
    from tests.support.cli import run_flowops

    monkeypatch.delenv("FLOWOPS_ROOT", raising=False)
    return lambda root, args: run_flowops(args, root)

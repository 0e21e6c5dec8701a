"""A `verify:` binding lives in the criterion's text: Backlog.md shows it and keeps it through its own edits."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.interop

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: checkout, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: api
          image: shop/checkout:1.0
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}
"""


def criteria(side, task_id):
    view = side.backlog_json("task", "view", task_id)["task"]
    return [(c["index"], c["text"], c["checked"]) for c in view["acceptanceCriteria"]]


def test_a_binding_made_by_flowops_survives_backlog_md_checking_and_adding_criteria(side):
    (side.root / "k8s").mkdir()
    (side.root / "k8s" / "app.yaml").write_text(DEPLOYMENT)
    task_id = side.created_id(side.backlog("task", "create", "Kubernetes", "--ac", "Limits set", "--ac", "Reviewed"))
    side.flowops("ac", "bind", task_id, "1", "--", "k8s.resources", "k8s/")
    bound = "Limits set `verify: k8s.resources k8s/`"
    assert criteria(side, task_id) == [(1, bound, False), (2, "Reviewed", False)]

    side.backlog("task", "edit", task_id, "--check-ac", "1", "--ac", "Probes present `verify: k8s.probes`")
    side.backlog("task", "edit", task_id, "--check-ac", "3", "--uncheck-ac", "3", "--check-ac", "2")
    assert criteria(side, task_id) == [(1, bound, True), (2, "Reviewed", True),
                                       (3, "Probes present `verify: k8s.probes`", False)]
    plain = side.backlog("task", "view", task_id, "--plain").stdout
    assert "- [x] #1 Limits set `verify: k8s.resources k8s/`" in plain

    result = side.flowops("ac", "verify", task_id, "--json", check=False)
    assert result.returncode == 3  # k8s.probes fails: the container has no probes
    statuses = [(r["index"], r["check"], r["status"]) for r in json.loads(result.stdout)["results"]]
    assert statuses == [(1, "k8s.resources k8s/", "pass"), (2, None, "manual"), (3, "k8s.probes", "fail")]


def test_a_binding_written_with_backlog_md_is_read_by_flowops_and_update_keeps_backlog_md_reading_it(side):
    (side.root / "k8s").mkdir()
    (side.root / "k8s" / "app.yaml").write_text(DEPLOYMENT)
    task_id = side.created_id(side.backlog("task", "create", "Kubernetes",
                                           "--ac", "Quoted args ``verify: cmd grep -q 'limits:' k8s/app.yaml``"))
    result = side.flowops("ac", "verify", task_id, "--update", "--json")
    (verdict,) = json.loads(result.stdout)["results"]
    assert (verdict["check"], verdict["status"]) == ("cmd grep -q 'limits:' k8s/app.yaml", "pass")
    assert criteria(side, task_id) == [(1, "Quoted args ``verify: cmd grep -q 'limits:' k8s/app.yaml``", True)]
    side.backlog("task", "edit", task_id, "--uncheck-ac", "1")
    assert criteria(side, task_id)[0][1] == "Quoted args ``verify: cmd grep -q 'limits:' k8s/app.yaml``"

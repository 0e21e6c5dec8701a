"""Kubernetes objects as discovery finds them: one per YAML document with ``apiVersion`` and ``kind``.

A ``Manifest`` keeps the document's data and the lines of its values, so checks can
name the offending object the way kube-score and kube-linter do:
``k8s/app.yaml:31 Deployment/checkout container api: no readinessProbe``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flowops.discovery.shapes import mapping
from flowops.yamlfile import Locations

# Kinds that run pods, and where their pod spec sits.
_TEMPLATE = ("spec", "template")
POD_TEMPLATES: dict[str, tuple[str, ...]] = {
    "Deployment": _TEMPLATE,
    "StatefulSet": _TEMPLATE,
    "DaemonSet": _TEMPLATE,
    "ReplicaSet": _TEMPLATE,
    "ReplicationController": _TEMPLATE,
    "Job": _TEMPLATE,
    "Rollout": _TEMPLATE,  # Argo Rollouts: a Deployment with progressive delivery
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "Pod": (),
}
WORKLOAD_KINDS = frozenset(POD_TEMPLATES)
# Long-running, replicated workloads: what autoscaling, disruption budgets and probes are about.
SCALABLE_KINDS = ("Deployment", "StatefulSet")
PROBED_KINDS = ("Deployment", "StatefulSet", "DaemonSet")


@dataclass(frozen=True)
class Container:
    """One container (or init container) of a workload's pod spec."""

    name: str
    init: bool
    data: dict
    at: tuple  # field path of the container in its document

    @property
    def role(self) -> str:
        return "init container" if self.init else "container"


@dataclass
class Manifest:
    """One Kubernetes object: what it is, where it is written, and its data."""

    api_version: str
    kind: str
    name: str | None
    namespace: str | None
    path: str
    line: int
    data: dict
    where: Locations
    at: tuple = ()  # field path inside the document (set for the items of a kind: List)
    patch: bool = False  # a kustomize patch: a partial object, not a complete one

    @property
    def ref(self) -> str:
        """``Kind/name``, the way kubectl names an object."""
        return f"{self.kind}/{self.name or '(unnamed)'}"

    @property
    def effective_namespace(self) -> str:
        """The namespace for matching objects to each other (``default`` when none is written)."""
        return self.namespace or "default"

    @property
    def is_workload(self) -> bool:
        return self.kind in WORKLOAD_KINDS and not self.patch

    def get(self, *keys: Any) -> Any:
        """The value at ``keys`` under the object (None when any step is missing or of the wrong type)."""
        value: Any = self.data
        for key in keys:
            if isinstance(key, int):
                if not isinstance(value, list) or not -len(value) <= key < len(value):
                    return None
            elif not isinstance(value, dict):
                return None
            value = value[key] if isinstance(key, int) else value.get(key)
            if value is None:
                return None
        return value

    def line_of(self, *keys: Any) -> int:
        """The line of the value at ``keys`` (or of its nearest written parent)."""
        return self.where.line(*self.at, *keys) or self.line

    @property
    def template_path(self) -> tuple[str, ...] | None:
        """Field path of the pod template (``()`` for a Pod itself), None for other kinds."""
        return POD_TEMPLATES.get(self.kind)

    @property
    def pod_spec_path(self) -> tuple[str, ...] | None:
        template = self.template_path
        return None if template is None else (*template, "spec")

    @property
    def pod_spec(self) -> dict | None:
        path = self.pod_spec_path
        spec = None if path is None else self.get(*path)
        return spec if isinstance(spec, dict) else None

    @property
    def pod_labels(self) -> dict[str, str]:
        """The labels its pods get (the template's, or a Pod's own)."""
        template = self.template_path
        labels = None if template is None else self.get(*template, "metadata", "labels")
        return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}

    def containers(self, *, init: bool = True) -> Iterator[Container]:
        """The containers of the pod spec (init containers first, when asked for)."""
        path = self.pod_spec_path
        spec = self.pod_spec
        if path is None or spec is None:
            return
        for field, is_init in (("initContainers", True), ("containers", False)):
            if is_init and not init:
                continue
            entries = spec.get(field)
            if not isinstance(entries, list):
                continue
            for index, entry in enumerate(entries):
                if isinstance(entry, dict):
                    name = entry.get("name")
                    yield Container(str(name) if name is not None else f"#{index + 1}", is_init, entry,
                                    (*path, field, index))

    def to_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "namespace": self.namespace, "apiVersion": self.api_version,
                "path": self.path, "line": self.line}


def manifests_in(data: Any, where: Locations, path: str, line: int) -> list[Manifest]:
    """The Kubernetes objects of one loaded document (a ``kind: List`` gives its items)."""
    if not _is_object(data):
        return []
    if data["kind"] == "List" and isinstance(data.get("items"), list):
        found = []
        for index, item in enumerate(data["items"]):
            if _is_object(item):
                found.append(_manifest(item, where, path, where.line("items", index) or line, ("items", index)))
        return found
    return [_manifest(data, where, path, line, ())]


def _is_object(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("apiVersion"), str) and isinstance(data.get("kind"), str)


def _manifest(data: dict, where: Locations, path: str, line: int, at: tuple) -> Manifest:
    metadata = mapping(data.get("metadata"))
    name = metadata.get("name")
    namespace = metadata.get("namespace")
    return Manifest(
        api_version=data["apiVersion"],
        kind=data["kind"],
        name=_scalar(name),
        namespace=_scalar(namespace),
        path=path,
        line=line,
        data=data,
        where=where,
        at=at,
    )


def _scalar(value: Any) -> str | None:
    # A templated name ({{ .Values.name }} read as a mapping) is no name.
    return None if value is None or isinstance(value, (dict, list)) else str(value)

"""``flowops discover``: the repository's operations artefacts, read once, for people and for checks.

``discover`` lists the candidate files (``flowops.discovery.files``), reads each one that
can hold an artefact exactly once, and sorts what it finds into the areas of the
``Inventory``: CI, container builds, Kubernetes objects (workloads and the rest),
kustomizations, Helm charts, alert rules, SLO specs, dashboards and runbook documents.
Checks (``flowops.checks``) inspect the same inventory, so ``discover`` shows exactly
what they will look at.

Nothing a file says can stop discovery: an unreadable, oversized, invalid or hostile
file is listed under ``problems`` with its reason, and the rest is still read. Helm
chart folders are listed but their files are never parsed (templates are not YAML
until rendered).
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowops.discovery.ci import (
    CiFile,
    base_images,
    github_workflow,
    gitlab_jobs,
    is_dockerfile,
    is_github_workflow,
    other_ci_system,
)
from flowops.discovery.files import RepoFiles, Unreadable, list_files
from flowops.discovery.kubernetes import Manifest, manifests_in
from flowops.discovery.monitoring import (
    Dashboard,
    RuleSource,
    SloSpec,
    alert_dict,
    grafana_dashboard,
    is_openslo,
    is_rule_file,
    rule_source,
    slo_specs,
)
from flowops.errors import ConfigError
from flowops.ops.alerts import AlertRule

SCHEMA_VERSION = 1
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
CHART_FILE = "Chart.yaml"
_KUSTOMIZE_API = "kustomize.config.k8s.io/"
# A YAML file is parsed only when its bytes could hold an artefact; most YAML in a
# repository (tool configs, fixtures) holds none, and reading is most of the cost.
_YAML_HINTS = (b"apiVersion", b"groups:", b"slos:", b"groups :")


@dataclass(frozen=True)
class Problem:
    """A file discovery could not use, and why."""

    path: str
    line: int | None
    message: str

    def to_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "message": self.message}


@dataclass
class Folder:
    """A kustomization or Helm chart folder."""

    path: str  # the folder ("." for the root)
    file: str
    name: str | None = None
    version: str | None = None
    patches: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"path": self.path, "file": self.file}
        if self.file.endswith(CHART_FILE):
            out.update(name=self.name, version=self.version)
        else:
            out["patches"] = list(self.patches)
        return out


@dataclass
class Inventory:
    """What ``discover`` found. ``files`` is the file list it searched."""

    root: Path
    files: RepoFiles
    ci: list[CiFile] = field(default_factory=list)
    containers: list[dict] = field(default_factory=list)
    manifests: list[Manifest] = field(default_factory=list)
    kustomizations: list[Folder] = field(default_factory=list)
    charts: list[Folder] = field(default_factory=list)
    rule_sources: list[RuleSource] = field(default_factory=list)
    slos: list[SloSpec] = field(default_factory=list)
    dashboards: list[Dashboard] = field(default_factory=list)
    runbooks: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def workloads(self) -> list[Manifest]:
        return [m for m in self.manifests if m.is_workload]

    @property
    def objects(self) -> list[Manifest]:
        """Every Kubernetes object that is not a workload (patches included, marked as such)."""
        return [m for m in self.manifests if not m.is_workload]

    @property
    def alerts(self) -> list[AlertRule]:
        """Every alerting rule, in file order (a warning/critical pair of one name is two rules)."""
        return [alert for source in self.rule_sources for alert in source.alerts]

    @property
    def alert_files(self) -> list[str]:
        """The files that define at least one alert, in path order."""
        return sorted({source.path for source in self.rule_sources if source.alerts})

    @property
    def workflows(self) -> list[CiFile]:
        return [ci for ci in self.ci if ci.system == "github-actions"]

    def kind(self, *kinds: str) -> list[Manifest]:
        """Complete objects (not patches) of the given kinds, in file order."""
        return [m for m in self.manifests if m.kind in kinds and not m.patch]

    def to_dict(self) -> dict:
        return {
            "schemaVersion": SCHEMA_VERSION,
            "kind": "discover",
            "root": str(self.root),
            "source": self.files.source,
            "files": len(self.files.paths),
            "ci": [ci.to_dict() for ci in self.ci],
            "containers": list(self.containers),
            "kubernetes": {
                "workloads": [m.to_dict() for m in self.workloads],
                "objects": [{**m.to_dict(), **({"patch": True} if m.patch else {})} for m in self.objects],
                "kustomizations": [k.to_dict() for k in self.kustomizations],
                "charts": [c.to_dict() for c in self.charts],
            },
            "alerts": [alert_dict(a) for a in self.alerts],
            "ruleFiles": [s.to_dict() for s in self.rule_sources],
            "slos": [s.to_dict() for s in self.slos],
            "dashboards": [d.to_dict() for d in self.dashboards],
            "runbooks": list(self.runbooks),
            "problems": [p.to_dict() for p in self.problems],
        }


def discover(root: Path, *, skip: Iterable[str] = (), include: Sequence[str] = (), exclude: Sequence[str] = (),
             backlog: Any = None) -> Inventory:
    """Search ``root`` and return its Inventory; see the module docstring.

    ``skip`` names root-relative folders never searched (the backlog); ``include`` and
    ``exclude`` are the ``[discover]`` globs; ``backlog`` (a flowops Backlog), when
    given, is where runbook documents are looked up.
    """
    files = list_files(root, skip=skip, include=include, exclude=exclude)
    inventory = Inventory(Path(root), files)
    chart_dirs = _find_charts(inventory)
    patches = _find_kustomizations(inventory)
    for path in files.paths:
        if _under(path, chart_dirs):
            continue  # chart templates are Go templates, not YAML: never parsed
        _read(inventory, path, path in patches)
    for path, reason in files.skipped:
        inventory.problems.append(Problem(path, None, reason))
    if backlog is not None:
        from flowops.discovery.runbooks import runbook_documents

        inventory.runbooks, notes = runbook_documents(backlog, inventory.alerts)
        inventory.problems += [Problem(path, None, reason) for path, reason in notes]
    inventory.problems.sort(key=lambda p: (p.path, p.line or 0))
    return inventory


def discover_project(project: Any, backlog: Any = None) -> Inventory:
    """``discover`` for a flowops project: its backlog skipped, its ``[discover]`` globs applied."""
    config = project.config
    skip = list(dict.fromkeys([*backlog_folder(project), "backlog", ".backlog"]))
    return discover(project.root, skip=skip, include=config.get("discover.include") or [],
                    exclude=config.get("discover.exclude") or [], backlog=backlog)


def _read(inventory: Inventory, path: str, is_patch: bool) -> None:
    """Read one file into the inventory, by what its name says it may be."""
    name = posixpath.basename(path)
    if name in KUSTOMIZATION_NAMES or name == CHART_FILE:
        return  # already read by _find_kustomizations / _find_charts
    if is_github_workflow(path):
        _read_workflow(inventory, path)
        return
    system = other_ci_system(path)
    if system is not None:
        _read_other_ci(inventory, path, system)
    elif is_dockerfile(path):
        text = inventory.files.try_read_text(path)
        inventory.containers.append({"path": path, "from": base_images(text) if text is not None else []})
    elif path.endswith((".yaml", ".yml")):
        _read_yaml(inventory, path, is_patch)
    elif path.endswith(".json"):
        _read_json(inventory, path)


def backlog_folder(project: Any) -> list[str]:
    """The project's backlog folder relative to its root ([] when it lies outside)."""
    try:
        return [Path(project.backlog_dir).resolve().relative_to(Path(project.root).resolve()).as_posix()]
    except ValueError:
        return []


def _under(path: str, folders: Sequence[str]) -> bool:
    return any(folder == "." or path.startswith(folder + "/") for folder in folders)


def _folder(path: str) -> str:
    return posixpath.dirname(path) or "."


def _find_charts(inventory: Inventory) -> list[str]:
    folders: list[str] = []
    for path in inventory.files.paths:
        if posixpath.basename(path) != CHART_FILE:
            continue
        folder = _folder(path)
        if _under(path, [f for f in folders if f != folder]):
            continue  # a subchart: part of its parent chart
        chart = Folder(folder, path)
        documents = _load(inventory, path)
        if documents and isinstance(documents[0].data, dict):
            data = documents[0].data
            chart.name = None if data.get("name") is None else str(data["name"])
            chart.version = None if data.get("version") is None else str(data["version"])
        inventory.charts.append(chart)
        folders.append(folder)
    return folders


def _find_kustomizations(inventory: Inventory) -> set[str]:
    """Record kustomization folders; return the files they use as patches (partial objects)."""
    patches: set[str] = set()
    for path in inventory.files.paths:
        if posixpath.basename(path) not in KUSTOMIZATION_NAMES:
            continue
        folder = _folder(path)
        entry = Folder(folder, path)
        documents = _load(inventory, path)
        data = documents[0].data if documents and isinstance(documents[0].data, dict) else {}
        for file in _patch_files(data):
            resolved = posixpath.normpath(posixpath.join(folder, file)) if folder != "." else posixpath.normpath(file)
            entry.patches.append(resolved)
            patches.add(resolved)
        inventory.kustomizations.append(entry)
    return patches


def _patch_files(data: dict) -> list[str]:
    found: list[str] = []
    for key in ("patchesStrategicMerge", "patches", "patchesJson6902"):
        entries = data.get(key)
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if isinstance(entry, str) and "\n" not in entry:
                found.append(entry)  # patchesStrategicMerge lists files (an inline patch has line breaks)
            elif isinstance(entry, dict) and isinstance(entry.get("path"), str):
                found.append(entry["path"])
    return found


def _load(inventory: Inventory, path: str) -> list:
    """The YAML documents of ``path`` ([] with a problem recorded when it cannot be read safely)."""
    from flowops.safeyaml import load_documents

    text = inventory.files.try_read_text(path)
    if text is None:
        return []
    try:
        return load_documents(text, path)
    except ConfigError as exc:
        inventory.problems.append(Problem(path, exc.line, exc.message))
        return []


def _read_workflow(inventory: Inventory, path: str) -> None:
    known = len(inventory.problems) + len(inventory.files.skipped)
    documents = _load(inventory, path)
    if not documents:
        unread = len(inventory.problems) + len(inventory.files.skipped) > known
        problem = "the workflow could not be read (see problems)" if unread else "the workflow is empty"
        inventory.ci.append(CiFile(path, "github-actions", [], problems=[problem]))
        return
    first = documents[0]
    inventory.ci.append(github_workflow(path, first.data, first.where, first.line))


def _read_other_ci(inventory: Inventory, path: str, system: str) -> None:
    jobs: list[str] = []
    if system == "gitlab-ci":
        documents = _load(inventory, path)
        jobs = gitlab_jobs(documents[0].data) if documents else []
    inventory.ci.append(CiFile(path, system, jobs))


def _read_yaml(inventory: Inventory, path: str, is_patch: bool) -> None:
    try:
        raw = inventory.files.read_bytes(path)
    except Unreadable as exc:
        inventory.files.skipped.append((path, exc.reason))
        return
    if not any(hint in raw for hint in _YAML_HINTS):
        return
    for document in _load(inventory, path):
        data = document.data
        if is_openslo(data):
            inventory.slos += slo_specs(path, data, document.where, document.line)
            continue  # OpenSLO specs are read by tools, not applied to a cluster
        slos = slo_specs(path, data, document.where, document.line)
        inventory.slos += slos
        if is_rule_file(data):
            inventory.rule_sources.append(rule_source(path, document.line, data, document.where))
            continue
        for manifest in manifests_in(data, document.where, path, document.line):
            if manifest.api_version.startswith(_KUSTOMIZE_API):
                continue  # a Kustomization or Component: listed as a kustomization folder
            manifest.patch = is_patch
            inventory.manifests.append(manifest)
            if manifest.kind == "PrometheusRule" and not is_patch:
                source = rule_source(path, manifest.line, manifest.data, document.where,
                                     resource_name=manifest.name or "(unnamed)", at=manifest.at)
                inventory.rule_sources.append(source)


def _read_json(inventory: Inventory, path: str) -> None:
    try:
        raw = inventory.files.read_bytes(path)
    except Unreadable as exc:
        inventory.files.skipped.append((path, exc.reason))
        return
    if b'"panels"' not in raw:
        return
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, RecursionError) as exc:
        inventory.problems.append(Problem(path, getattr(exc, "lineno", None), f"invalid JSON: {exc}"))
        return
    dashboard = grafana_dashboard(path, data)
    if dashboard is not None:
        inventory.dashboards.append(dashboard)

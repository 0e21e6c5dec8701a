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
from typing import TYPE_CHECKING, Any

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
    alert_dict,
    grafana_dashboard,
    is_rule_file,
    rule_source,
    slo_dict,
)
from flowops.errors import ConfigError
from flowops.ops.alerts import AlertRule
from flowops.slo.model import DEFAULT_PERIOD, SLO
from flowops.slo.rules import HEADER_MARK
from flowops.slo.specs import SpecSet, is_spec_object
from flowops.yamlfile import Locations

if TYPE_CHECKING:
    from flowops.backlog.store import Backlog
    from flowops.project import Project

SCHEMA_VERSION = 1
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
CHART_FILE = "Chart.yaml"
_KUSTOMIZE_API = "kustomize.config.k8s.io/"
# A YAML file is parsed only when its bytes could hold an artefact; most YAML in a
# repository (tool configs, fixtures) holds none, and reading is most of the cost.
_YAML_HINTS = (b"apiVersion", b"groups:", b"slos:", b"groups :", b"prometheus/v1")


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
    slo_specs: SpecSet = field(default_factory=SpecSet)  # read by flowops.slo.specs, as `flowops slo` reads them
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
    def slos(self) -> list[SLO]:
        """Every SLO of the SLO spec files (Sloth, OpenSLO), as ``flowops slo`` reads them."""
        return self.slo_specs.slos

    @property
    def slo_files(self) -> list[str]:
        """The SLO spec files, in path order (including those with problems)."""
        return list(self.slo_specs.files)

    @property
    def generated_rules(self) -> list[RuleSource]:
        """The rule files ``flowops slo generate`` wrote (their header says how), in path order."""
        return [source for source in self.rule_sources if source.generated is not None]

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
            "slos": [slo_dict(s) for s in self.slos],
            "sloFiles": self.slo_files,
            "dashboards": [d.to_dict() for d in self.dashboards],
            "runbooks": list(self.runbooks),
            "problems": [p.to_dict() for p in self.problems],
        }


def discover(root: Path, *, skip: Iterable[str] = (), include: Sequence[str] = (), exclude: Sequence[str] = (),
             backlog: Backlog | None = None, slo_period: int = DEFAULT_PERIOD) -> Inventory:
    """Search ``root`` and return its Inventory; see the module docstring.

    ``skip`` names root-relative folders never searched (the backlog); ``include`` and
    ``exclude`` are the ``[discover]`` globs; ``backlog`` (a flowops Backlog), when
    given, is where runbook documents are looked up; ``slo_period`` (minutes) is the
    period of Sloth specs, which do not state one.
    """
    files = list_files(root, skip=skip, include=include, exclude=exclude)
    inventory = Inventory(Path(root), files)
    chart_dirs = _find_charts(inventory)
    patches = _find_kustomizations(inventory)
    spec_documents: list[tuple[str, list[tuple[Any, Locations]]]] = []
    for path in files.paths:
        if _under(path, chart_dirs):
            continue  # chart templates are Go templates, not YAML: never parsed
        _read(inventory, path, path in patches, spec_documents)
    _read_slo_specs(inventory, spec_documents, slo_period)
    for path, reason in files.skipped:
        inventory.problems.append(Problem(path, None, reason))
    if backlog is not None:
        _find_runbooks(inventory, backlog, inventory.alerts)
    inventory.problems.sort(key=lambda p: (p.path, p.line or 0))
    return inventory


def discover_project(project: Project, backlog: Backlog | None = None) -> Inventory:
    """``discover`` for a flowops project: its backlog skipped, its ``[discover]`` globs applied."""
    from flowops.slo.generate import parse_period

    config = project.config
    skip = list(dict.fromkeys([*backlog_folder(project), "backlog", ".backlog"]))
    period = parse_period(config.get("slo.default_period") or "30d", "slo.default_period", config.source)
    inventory = discover(project.root, skip=skip, include=config.get("discover.include") or [],
                         exclude=config.get("discover.exclude") or [], slo_period=period)
    if backlog is not None:
        _find_runbooks(inventory, backlog, _runbook_rules(project, inventory))
    return inventory


def _runbook_rules(project: Project, inventory: Inventory) -> list[AlertRule]:
    """The alerts runbooks are judged against: the SLO specs' own alerts stand in for the rules generated from them."""
    from flowops.slo.workflow import read_slo_inputs, runbook_rules

    try:
        inputs = read_slo_inputs(project, lambda: inventory)
    except ConfigError:
        inputs = None  # invalid configured specs: listed by `flowops slo validate`; runbooks judged by the rules
    return runbook_rules(inventory.alerts, {s.path: s.generated for s in inventory.rule_sources}, inputs)


def _find_runbooks(inventory: Inventory, backlog: Backlog, alerts: list[AlertRule]) -> None:
    from flowops.discovery.runbooks import runbook_documents

    inventory.runbooks, notes = runbook_documents(backlog, alerts)
    inventory.problems += [Problem(path, None, reason) for path, reason in notes]
    inventory.problems.sort(key=lambda p: (p.path, p.line or 0))


def _read_slo_specs(inventory: Inventory, files: list[tuple[str, list[tuple[Any, Locations]]]], period: int) -> None:
    """The SLOs of the spec files, read together (an OpenSLO SLI may live in another file); errors are problems."""
    if not files:
        return
    from flowops.slo.specs import read_documents

    inventory.slo_specs = read_documents(files, default_period=period)
    for problem in inventory.slo_specs.errors:
        where = f"{problem.field}: " if problem.field else ""
        message = f"invalid SLO spec: {where}{problem.message}"
        inventory.problems.append(Problem(problem.path or "", problem.line, message))


def _read(inventory: Inventory, path: str, is_patch: bool, spec_documents: list) -> None:
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
        _read_yaml(inventory, path, is_patch, spec_documents)
    elif path.endswith(".json"):
        _read_json(inventory, path)


def backlog_folder(project: Project) -> list[str]:
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


def _read_yaml(inventory: Inventory, path: str, is_patch: bool, spec_documents: list) -> None:
    try:
        raw = inventory.files.read_bytes(path)
    except Unreadable as exc:
        inventory.files.skipped.append((path, exc.reason))
        return
    if not any(hint in raw for hint in _YAML_HINTS):
        return
    documents = _load(inventory, path)
    # An SLO spec file is given whole to the SLO reader (the same test `flowops slo` uses).
    if any(is_spec_object(item) for document in documents for item in _items(document.data)):
        spec_documents.append((path, [(document.data, document.where) for document in documents]))
    generated = _generated(raw) if raw.startswith(_GENERATED_MARK) else None
    for document in documents:
        data = document.data
        api = data.get("apiVersion") if isinstance(data, dict) else None
        if isinstance(api, str) and api.startswith("openslo/"):
            continue  # OpenSLO specs are read by tools, not applied to a cluster
        if is_rule_file(data):
            source = rule_source(path, document.line, data, document.where)
            source.generated = generated
            inventory.rule_sources.append(source)
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


def _items(data: Any) -> list[Any]:
    return list(data) if isinstance(data, list) else [data]


_GENERATED_MARK = HEADER_MARK.encode()


def _generated(raw: bytes) -> Any:
    """How ``flowops slo generate`` wrote this rules file (its header), or None."""
    from flowops.slo.generate import header_command

    return header_command(raw[:4096].decode("utf-8", "replace"))


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

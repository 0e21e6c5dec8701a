"""``flowops operate``: find a feature's operations work, plan what is missing, create it.

A run takes a feature task in an input state of the ``operate`` workflow, the items of
the selected playbooks and one runbook item per alert, and makes sure each has exactly
one task (and each alert one runbook document). Nothing here prints or exits; the
command layer renders an ``OperateResult``.

Which existing task serves an item (the key is the item's ``ops:<key>`` label):

- Only tasks in ``tasks/`` and ``completed/`` count, whatever their status or title
  (a renamed task still matches). Drafts and archived tasks do not.
- The feature's own tasks come first: a direct subtask (id ``<feature>.N``, or
  ``parent_task_id`` naming the feature). When several carry one key, the lowest id
  serves and the others are reported as duplicates.
- Failing that, a task with the key label and no parent at all serves: it is taken as
  project-wide work (one pipeline for the whole repository) and may serve several
  features.
- A subtask of any other task never counts: that is another feature's operations work.

Runbook documents are found by the key tag in their frontmatter (``ops:runbook:<slug>``),
else by the hidden body line earlier versions wrote, else through the runbook task's
``documentation`` entry (by document id, which survives a rename); see
``flowops.ops.runbooks``. Renaming a document or rewriting its body keeps it matched.

Reading: files are scanned without the index cache; only those whose bytes contain
``ops:`` are parsed. In a 10,000-task backlog that takes about a third of the time of a
warm cached listing and writes nothing (``--dry-run`` must not even refresh the cache).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowops.backlog.model import Document, Task
from flowops.backlog.naming import try_parse_task_id
from flowops.errors import BlockedError, UsageError
from flowops.events.emitter import Emit, emitter_for
from flowops.locks import file_lock
from flowops.ops.alerts import Alert, read_alert_files
from flowops.ops.playbook import KEY_LABEL_PREFIX, Playbook, PlaybookItem, collect_playbooks, select_items
from flowops.ops.runbooks import AREA as RUNBOOK_AREA
from flowops.ops.runbooks import (
    document_keys,
    document_tags,
    render_runbook_document,
    runbook_document_title,
    runbook_task_spec,
)
from flowops.workflow.transitions import check_bypass

if TYPE_CHECKING:
    from flowops.backlog.store import Backlog
    from flowops.plugins import Plugins
    from flowops.project import Project
    from flowops.workflow.model import WorkflowConfig

WORKFLOW = "operate"
# A documentation entry naming a document: "backlog/docs/doc-2 - Runbook-High-Latency.md".
_DOC_REFERENCE = re.compile(r"(?:^|/)(doc-\d+(?:\.\d+)*)(?: - [^/]*)?\.md$", re.I)
OPS_FOLDERS = ("tasks", "completed")
RUNBOOK_PREFIX = "runbook:"
OPS_LABEL = "infrastructure"
PRIORITY = "high"
LOCK_TIMEOUT = 120.0  # seconds; a run on a big backlog with many alerts holds it for a few

@dataclass(frozen=True)
class OperateOptions:
    """What a run was asked to do. ``alert_files`` are (path, path as shown) pairs."""

    playbooks: Sequence[str]
    alert_files: Sequence[tuple[Path, str]] = ()
    assignee: str = "@sre-agent"
    skip_state_check: bool = False
    reason: str | None = None
    dry_run: bool = False
    no_verify: bool = False  # --complete: skip the evidence of bound criteria (needs reason)
    # Alerts already read (from the files `flowops discover` found) instead of alert_files.
    alerts: Sequence[Alert] | None = None
    # The SLO specs read (flowops.slo.workflow.SloInputs): their alerts get runbooks, and
    # playbook items may tailor their criteria to them (PlaybookItem.criteria_when).
    slo: Any = None


@dataclass
class Inventory:
    """The key-labelled tasks and runbook documents a feature can use, by key."""

    own: dict[str, list[Task]] = field(default_factory=dict)
    shared: dict[str, list[Task]] = field(default_factory=dict)
    documents: dict[str, list[Document]] = field(default_factory=dict)  # key label -> documents
    warnings: list[str] = field(default_factory=list)
    by_id: dict[str, Document] = field(default_factory=dict)  # lower-case doc id -> document
    keys_of: dict[str, list[str]] = field(default_factory=dict)  # doc id -> its key labels
    tagged: set[str] = field(default_factory=set)  # doc ids whose key is in the frontmatter

    def task_for(self, key: str) -> Task | None:
        """The task serving ``key``: the feature's own first, else a parentless one."""
        found = self.own.get(key) or self.shared.get(key)
        return found[0] if found else None

    def document_for(self, label: str, task: Task | None = None) -> Document | None:
        """The runbook document of ``label``: by its key, else through ``task``'s documentation entry.

        The second way finds a document whose key was lost (no tag, no body line), as
        long as it names no other alert; the task's path may be stale after a rename,
        the document id in it is not.
        """
        found = self.documents.get(label)
        if found:
            return found[0]
        for reference in task.documentation if task is not None else ():
            match = _DOC_REFERENCE.search(reference.replace("\\", "/"))
            document = self.by_id.get(match.group(1).lower()) if match else None
            if document is not None and self.keys_of.get(document.id, []) in ([], [label]):
                return document
        return None

    def duplicates(self) -> list[tuple[str, Task]]:
        """The feature's own tasks that carry a key another own task already serves."""
        return [(key, task) for key, tasks in self.own.items() for task in tasks[1:]]


@dataclass
class OpsEntry:
    """One operations item for a feature and what serves it.

    ``action`` is ``created``, ``reused``, ``planned`` (dry run: would be created),
    ``orphaned`` (a runbook task whose alert is gone) or ``other`` (an own task of a
    playbook not selected in this run). ``document_action`` is set for runbooks.
    """

    key: str
    area: str
    title: str
    item: PlaybookItem | None = None
    playbook: str | None = None
    alert: Alert | None = None
    task: Task | None = None
    document: Document | None = None
    action: str = "reused"
    document_action: str | None = None

    @property
    def label(self) -> str:
        return KEY_LABEL_PREFIX + self.key

    @property
    def is_runbook(self) -> bool:
        return self.key.startswith(RUNBOOK_PREFIX)

    @property
    def runbook_alert(self) -> Alert:
        """The alert of a runbook entry (every runbook entry has one)."""
        if self.alert is None:
            raise ValueError(f"{self.key} is not a runbook entry")
        return self.alert

    @property
    def playbook_item(self) -> PlaybookItem:
        """The playbook item of an entry still to create (every planned entry has one)."""
        if self.item is None:
            raise ValueError(f"{self.key} has no playbook item")
        return self.item


@dataclass
class Survey:
    """A feature and its operations work as found now (nothing written)."""

    feature: Task
    state: str
    decision: Any  # flowops.workflow.guard.Decision
    playbooks: list[str]
    items: list[tuple[Playbook, PlaybookItem]]
    areas: dict[str, str]
    alert_files: list[str]
    alerts: list[Alert]
    inventory: Inventory
    entries: list[OpsEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the inputs (an alert file without alerts)
    slo: Any = None  # flowops.slo.workflow.SloInputs, when the repository has SLO specs
    tailored: dict[str, PlaybookItem] = field(default_factory=dict)  # key -> item as the repository's facts made it

    @property
    def alerts_known(self) -> bool:
        """True when alert files or SLO specs were read (only then can an alert have disappeared)."""
        return bool(self.alert_files) or bool(self.slo is not None and self.slo.spec_files)

    def match(self, backlog: Backlog) -> None:
        """(Re)discover the existing work and match it to the items and alerts."""
        self.inventory = find_inventory(backlog, self.feature)
        self.entries = resolve_entries(self.feature, self.items, self.alerts, self.inventory,
                                       alerts_known=self.alerts_known, areas=self.areas)

    @property
    def duplicates(self) -> list[tuple[str, Task]]:
        return self.inventory.duplicates()

    @property
    def warnings(self) -> list[str]:
        notes = list(self.notes) + list(self.inventory.warnings)
        for key, task in self.duplicates:
            kept = self.inventory.own[key][0]
            notes.append(f"{task.id} also carries {KEY_LABEL_PREFIX}{key}; {kept.id} is used (archive {task.id} or remove its label)")
        notes += self._untailored()
        return notes

    def _untailored(self) -> list[str]:
        """Reused tasks made before the repository had what their item's criteria now depend on (SLO specs)."""
        import shlex

        from flowops.checks.binding import BindingError, find_binding

        def checks(criteria: Iterable[str]) -> dict[str, str]:
            found: dict[str, str] = {}
            for text in criteria:
                try:
                    binding = find_binding(text)
                except BindingError:
                    continue
                if binding is not None:
                    found.setdefault(binding.name, text)
            return found

        notes = []
        for entry in self.entries:
            item = self.tailored.get(entry.key)
            if item is None or entry.task is None or entry.action != "reused":
                continue
            have = checks(c.text for c in entry.task.acceptance_criteria)
            for name, text in checks(item.criteria).items():
                if name not in have:
                    notes.append(f"{entry.task.id} ({entry.label}) has no criterion bound to `verify: {name}`, which "
                                 f"this repository can now be judged by; add it: flowops task edit {entry.task.id} "
                                 f"--ac {shlex.quote(text)}")
        return notes


@dataclass
class OperateResult:
    """What a run did (or, with ``dry_run``, would do)."""

    survey: Survey
    dry_run: bool
    skipped_state_check: bool = False
    reason: str | None = None

    @property
    def feature(self) -> Task:
        return self.survey.feature

    def _with(self, *actions: str) -> list[OpsEntry]:
        return [e for e in self.survey.entries if e.action in actions]

    @property
    def created(self) -> list[OpsEntry]:
        return self._with("created", "planned")

    @property
    def reused(self) -> list[OpsEntry]:
        return self._with("reused")

    @property
    def orphaned(self) -> list[OpsEntry]:
        return self._with("orphaned")

    @property
    def runbooks(self) -> list[OpsEntry]:
        return [e for e in self.survey.entries if e.alert is not None]

    def to_dict(self, relpath: Callable[[Any], str]) -> dict:
        """The ``--json`` document (stable keys; ids are null for what a dry run would create)."""
        feature = self.feature
        return {
            "feature": {"id": feature.id, "title": feature.title, "state": self.survey.state},
            "dry_run": self.dry_run,
            "skipped_state_check": self.skipped_state_check,
            "reason": self.reason,
            "playbooks": list(self.survey.playbooks),
            "alert_files": list(self.survey.alert_files),
            "slo": self.survey.slo.to_dict() if self.survey.slo is not None else None,
            "created": [entry_dict(e, relpath) for e in self.created],
            "reused": [entry_dict(e, relpath) for e in self.reused],
            "orphaned": [entry_dict(e, relpath) for e in self.orphaned],
            "runbooks": [runbook_dict(e, relpath) for e in self.runbooks],
            "warnings": self.survey.warnings,
        }


def entry_dict(entry: OpsEntry, relpath: Callable[[Any], str]) -> dict:
    task = entry.task
    return {
        "id": task.id if task else None,
        "key": entry.key,
        "label": entry.label,
        "title": task.title if task else entry.title,
        "area": entry.area,
        "status": task.status if task else None,
        "path": relpath(task.path) if task is not None and task.path else None,
        "playbook": entry.playbook,
        "alert": entry.alert.name if entry.alert else None,
    }


def runbook_dict(entry: OpsEntry, relpath: Callable[[Any], str]) -> dict:
    alert, document = entry.runbook_alert, entry.document
    return {
        "alert": alert.name,
        "slug": alert.slug,
        "severity": alert.severity,
        "severities": alert.severities,
        "source": alert.location,
        "rules": [rule.to_dict() for rule in alert.rules],
        "task_id": entry.task.id if entry.task else None,
        "task_created": entry.action in ("created", "planned"),
        "doc_id": document.id if document else None,
        "title": document.title if document else runbook_document_title(alert),
        "path": relpath(document.path) if document is not None and document.path else None,
        "created": entry.document_action in ("created", "planned"),
    }


# -- finding -----------------------------------------------------------------------------


def key_labels(task: Task) -> list[str]:
    """The operations keys of ``task`` (``ops:cicd`` -> ``cicd``), in label order."""
    keys = []
    for label in task.labels:
        label = label.strip()
        if label.startswith(KEY_LABEL_PREFIX) and len(label) > len(KEY_LABEL_PREFIX):
            keys.append(label[len(KEY_LABEL_PREFIX) :])
    return keys


def find_inventory(backlog: Backlog, feature: Task) -> Inventory:
    """Every task that may serve one of ``feature``'s operations items, and every runbook document.

    See the module docstring for the matching rule. Unreadable files are reported in
    ``warnings`` and skipped, never guessed at.
    """
    from flowops.backlog.taskfile import TaskFile, TaskParseError

    prefix = backlog.config.task_prefix
    feature_id = try_parse_task_id(feature.id, prefix)
    inventory = Inventory()
    found: list[tuple[tuple, Task, bool]] = []
    for ref, raw in backlog.read_marked(OPS_FOLDERS, KEY_LABEL_PREFIX.encode()):
        if isinstance(raw, TaskParseError):
            inventory.warnings.append(f"{backlog.relpath(ref.path)}: skipped, cannot be read: {raw.reason}")
            continue
        if isinstance(raw, OSError):
            inventory.warnings.append(f"{backlog.relpath(ref.path)}: cannot read: {raw.strerror or raw}")
            continue
        if not isinstance(raw, bytes):
            continue
        try:
            task = TaskFile(raw, ref.path, ref.folder).parsed
        except TaskParseError as exc:
            where = backlog.relpath(ref.path) + (f":{exc.line}" if exc.line else "")
            inventory.warnings.append(f"{where}: skipped, cannot be read: {exc.reason}")
            continue
        task_id = try_parse_task_id(task.id, prefix)
        if task_id is None or task_id == feature_id:
            continue
        parent = try_parse_task_id(task.parent_task_id, prefix) if task.parent_task_id else None
        if parent is None and task.parent_task_id:
            continue  # a parent we cannot read is still somebody's parent
        if parent is None and task_id.parent is not None:
            parent = task_id.parent
        if parent is not None and parent != feature_id:
            continue
        found.append(((task_id.prefix, task_id.parts), task, parent is not None))
    found.sort(key=lambda entry: entry[0])
    for _order, task, own in found:
        target = inventory.own if own else inventory.shared
        for key in key_labels(task):
            target.setdefault(key, []).append(task)
    _find_documents(backlog, inventory)
    return inventory


def runbook_documents(backlog: Backlog) -> Inventory:
    """Every runbook document of the backlog by key, as ``find_inventory`` finds them (no tasks)."""
    inventory = Inventory()
    _find_documents(backlog, inventory)
    return inventory


def _find_documents(backlog: Backlog, inventory: Inventory) -> None:
    from flowops.backlog.documents import Documents

    documents, bad = Documents(backlog).list()
    for path, reason in bad:
        inventory.warnings.append(f"{backlog.relpath(path)}: skipped, cannot be read: {reason}")
    for document in documents:
        inventory.by_id.setdefault(document.id.lower(), document)
        labels, tagged = document_keys(document.tags, document.body)
        inventory.keys_of[document.id] = labels
        if tagged:
            inventory.tagged.add(document.id)
        for label in labels:
            inventory.documents.setdefault(label, []).append(document)


def item_areas(playbooks: dict[str, Playbook]) -> dict[str, str]:
    """Key -> area over every registered playbook (areas of tasks from unselected playbooks)."""
    return {item.key: item.area for playbook in playbooks.values() for item in playbook.items}


def resolve_entries(
    feature: Task,
    items: Iterable[tuple[Playbook, PlaybookItem]],
    alerts: Iterable[Alert],
    inventory: Inventory,
    *,
    alerts_known: bool,
    areas: dict[str, str] | None = None,
) -> list[OpsEntry]:
    """One entry per selected item and alert, then one per other own key-labelled task.

    An own runbook task whose alert is not among ``alerts`` is ``orphaned`` only when
    ``alerts_known`` (some alert file was read): without alert files nothing can be said
    to have disappeared.
    """
    entries: list[OpsEntry] = []
    seen: set[str] = set()
    for playbook, item in items:
        entries.append(_entry(feature, item, inventory, playbook=playbook.name))
        seen.add(item.key)
    for alert in alerts:
        entry = _entry(feature, runbook_task_spec(alert), inventory, alert=alert)
        entry.document = inventory.document_for(alert.label, entry.task)
        entry.document_action = "reused" if entry.document else "planned"
        entries.append(entry)
        seen.add(entry.key)
    for key, tasks in inventory.own.items():
        if key in seen:
            continue
        task = tasks[0]
        runbook = key.startswith(RUNBOOK_PREFIX)
        area = (areas or {}).get(key) or (RUNBOOK_AREA if runbook else key.split(":")[0])
        entry = OpsEntry(key, area, task.title, task=task, action="orphaned" if runbook and alerts_known else "other")
        if runbook:
            entry.document = inventory.document_for(entry.label, task)
        entries.append(entry)
    return entries


def _entry(feature: Task, item: PlaybookItem, inventory: Inventory, *, playbook: str | None = None,
           alert: Alert | None = None) -> OpsEntry:
    task = inventory.task_for(item.key)
    title = task.title if task else item.render_title(feature.title, feature.id)
    return OpsEntry(item.key, item.area, title, item, playbook, alert, task, action="reused" if task else "planned")


def survey(backlog: Backlog, workflow: WorkflowConfig, plugins: Plugins, feature_id: str, playbook_names: Sequence[str],
           alert_files: Sequence[tuple[Path, str]], *, match: bool = True, alerts: Sequence[Alert] | None = None,
           slo: Any = None) -> Survey:
    """Read everything a run needs and (unless ``match`` is False) find the existing work; writes nothing.

    ``alerts``, when given, are the alerts of ``alert_files`` already read (by
    discovery); otherwise the files are read here. ``slo`` (``SloInputs``) adds the
    alerts of the SLO specs and the fact that the repository has them. Raises
    NotFoundError for the feature, UsageError for an unknown playbook, and ConfigError
    (exit 2, file and position) for a bad alert file or two alert names with one slug.
    """
    from flowops.workflow.guard import check
    from flowops.workflow.state import state_of

    feature = backlog.get(feature_id, OPS_FOLDERS)  # drafts cannot have subtasks
    state = state_of(feature.labels, workflow, task=feature.id)
    decision = check(workflow, WORKFLOW, state, task_id=feature.id)
    playbooks = collect_playbooks(plugins)
    names = list(dict.fromkeys(playbook_names))
    if not names:
        raise UsageError("no playbook selected", hint="pass --playbook NAME or set operate.playbooks in .flowops/config.toml")
    facts = slo.facts if slo is not None else set()
    items = []
    tailored: dict[str, PlaybookItem] = {}
    for playbook, item in select_items(playbooks, names):
        made = item.for_facts(facts)
        if made is not item:
            tailored[item.key] = made
        items.append((playbook, made))
    notes: list[str] = []
    read = list(alerts) if alerts is not None else read_alert_files(list(alert_files), notes)
    if slo is not None:
        from flowops.slo.workflow import merge_alerts

        read = merge_alerts(read, slo)
    found = Survey(feature, state, decision, names, items, item_areas(playbooks), [shown for _path, shown in alert_files],
                   read, Inventory(), notes=notes, slo=slo, tailored=tailored)
    if match:
        found.match(backlog)
    return found


# -- running -----------------------------------------------------------------------------


def guard(found: Survey, skip_state_check: bool) -> bool:
    """Raise BlockedError when the feature may not be operated on; True when the check is bypassed."""
    decision = found.decision
    if decision.allowed:
        return False
    if not skip_state_check:
        from flowops.workflow.guard import BYPASS_FLAGS

        # The guard suggests `workflow advance`; here the bypass is a flag of this command.
        ours = f"flowops operate {found.feature.id} {BYPASS_FLAGS}"
        raise BlockedError(decision.message.replace(decision.bypass, ours) if decision.bypass else decision.message)
    return True


def run_operate(project: Project, backlog: Backlog, workflow: WorkflowConfig, plugins: Plugins, feature_id: str, options: OperateOptions,
                emit: Emit | None = None) -> OperateResult:
    """Guard, discover, create what is missing; see the module docstring.

    Every input is checked before the first write (guard: BlockedError; playbooks and
    alert files: UsageError/ConfigError). A dry run stops after planning. Otherwise the
    discovery is repeated and the creation done under a per-feature lock, so two runs at
    the same time create each task once. Events go through ``emit`` after the writes.
    """
    reason = check_bypass(options.skip_state_check, options.reason)
    # Outside a dry run the existing work is looked up under the lock only, not twice.
    found = survey(backlog, workflow, plugins, feature_id, options.playbooks, options.alert_files, match=options.dry_run,
                   alerts=options.alerts, slo=options.slo)
    bypassed = guard(found, options.skip_state_check)
    if options.dry_run:
        if options.slo is not None:
            options.slo.plan_rules(project, [e.alert.name for e in found.entries
                                             if e.alert is not None and e.document_action == "planned"])
        return OperateResult(found, True, bypassed, reason)
    feature = found.feature
    emit = emitter_for(project, emit)
    if bypassed:
        decision = found.decision
        emit(
            "workflow.state_check_skipped",
            feature.id,
            {"workflow": WORKFLOW, "command": decision.command, "from": found.state, "to": decision.output_state,
             "required_states": list(decision.required_states), "reason": reason},
        )
    emit("operate.started", feature.id, {"title": feature.title, "state": found.state, "playbooks": found.playbooks,
                                         "alert_files": found.alert_files, "alerts": [a.name for a in found.alerts]})
    with file_lock(backlog.lock_file(f"operate-{feature.id.lower()}.lock"), timeout=LOCK_TIMEOUT):
        backlog.forget_listings()  # nothing read before the lock may be trusted under it
        found.match(backlog)  # under the lock: another run may just have created some of it
        found.notes.extend(_tag_documents(backlog, found.entries, found.inventory))
        _create_documents(project, backlog, feature, found.entries)
        _create_tasks(project, backlog, feature, found.entries, options.assignee)
        if options.slo is not None:
            # The generated rules link each alert to its runbook document, which may just have been created.
            options.slo.refresh_rules(project)
    for entry in found.entries:
        task, document = entry.task, entry.document
        if entry.action == "created" and task is not None:
            emit("task.created", task.id, {"title": task.title, "status": task.status, "labels": task.labels,
                                           "parent_task_id": task.parent_task_id, "key": entry.label})
        if entry.document_action == "created" and document is not None:
            alert = entry.runbook_alert
            emit("runbook.created", task.id if task else feature.id,
                 {"doc_id": document.id, "alert": alert.name, "slug": alert.slug, "feature_id": feature.id,
                  "title": document.title})
    return OperateResult(found, False, bypassed, reason)


def _tag_documents(backlog: Backlog, entries: list[OpsEntry], inventory: Inventory) -> list[str]:
    """Give the key tag to runbook documents found another way (earlier versions, a lost tag); one note each."""
    from flowops.backlog.documents import Documents

    notes = []
    documents = Documents(backlog)
    for entry in entries:
        document = entry.document
        if not entry.is_runbook or document is None or document.id in inventory.tagged:
            continue
        label = entry.label

        def add_tag(doc: Document, label: str = label) -> None:
            if label not in doc.tags:
                doc.tags = [*doc.tags, label]

        entry.document, changed = documents.update(document.id, add_tag)
        inventory.tagged.add(document.id)
        if changed:
            notes.append(f"{document.id}: added the tag {label} to its frontmatter, where edits of the body cannot "
                         "remove it (it was found by its body line or its runbook task)")
    return notes


def _create_documents(project: Project, backlog: Backlog, feature: Task, entries: list[OpsEntry]) -> None:
    from flowops.backlog.documents import Documents

    documents = Documents(backlog)
    for entry in entries:
        if entry.alert is None or entry.document is not None:
            continue
        body = render_runbook_document(entry.alert, feature.id, feature.title)
        entry.document = documents.create(runbook_document_title(entry.alert), type="guide", body=body,
                                          tags=document_tags(entry.alert))
        entry.document_action = "created"


def _create_tasks(project: Project, backlog: Backlog, feature: Task, entries: list[OpsEntry], assignee: str) -> None:
    from flowops.backlog.store import NewTask

    missing = [entry for entry in entries if entry.action == "planned"]
    news = []
    for entry in missing:
        item = entry.playbook_item
        documentation = [project.relpath(entry.document.path)] if entry.document is not None and entry.document.path else []
        news.append(
            NewTask(
                title=item.render_title(feature.title, feature.id),
                description=item.description,
                assignees=[assignee] if assignee else [],
                reporter=backlog.config.default_reporter,
                labels=[OPS_LABEL, item.area, item.label],
                priority=PRIORITY,
                parent=feature.id,
                documentation=documentation,
                acceptance_criteria=list(item.criteria),
                definition_of_done=list(backlog.config.definition_of_done or []),
            )
        )
    for entry, task in zip(missing, backlog.create_many(news, parents=[feature]), strict=True):
        entry.task = task
        entry.title = task.title
        entry.action = "created"

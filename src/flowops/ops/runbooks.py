"""Per-alert runbooks: the task that asks for one, and the document skeleton to fill in.

Every alert gets one runbook task (key ``runbook:<slug>``) and one runbook document
(a Backlog.md doc of type ``guide``). The document starts pre-filled with what the
alert file says and a skeleton for the five sections an on-call person needs:
Symptoms, Diagnosis, Resolution, Rollback and Escalation. Skeleton text carries the
marker ``TODO(runbook)``; ``unfilled_sections`` finds what is still skeleton, so the
completion gate can refuse a feature whose runbooks were never written.

Naming: the document is titled ``Runbook: <alert name>`` and identified by the alert's
key label ``ops:runbook:<slug>``, never by its title, file name or the anchor of the
alert's ``runbook_url`` (anchors often name a section such as ``#triage`` or are shared
by several alerts; the ``runbook_url`` is kept in the document's facts as a link).

Where the key lives: in the document's frontmatter, as a tag, next to the tag
``runbook``. A person may replace the whole body with their own runbook, and Backlog.md
keeps tags through its own edits (``backlog doc update --content/--title``), where it
drops frontmatter keys it does not know. Documents written by earlier flowops versions
carry the key only in a hidden ``<!-- flowops:ops:runbook:<slug> -->`` body line; it is
still read (and still written, so that those versions find new documents), but a tag
wins over it: a body copied from another runbook does not move that runbook.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flowops.backlog.model import Document, Task
from flowops.ops.alerts import Alert, slugify
from flowops.ops.playbook import KEY_LABEL_PREFIX, PlaybookItem
from flowops.skeleton import PromptLeft, outline, prompts_left

if TYPE_CHECKING:
    from flowops.backlog.store import Backlog

PLACEHOLDER = "TODO(runbook)"
SECTIONS = ("Symptoms", "Diagnosis", "Resolution", "Rollback", "Escalation")
AREA = "runbook"
RUNBOOK_TAG = "runbook"
KEY_PREFIX = "ops:runbook:"

_KEY_MARKER = re.compile(r"<!--\s*flowops:(ops:runbook:[a-z0-9-]+)\s*-->")
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def runbook_document_title(alert: Alert) -> str:
    """The title of the alert's runbook document: ``Runbook: <alert name>``."""
    return f"Runbook: {alert.name}"


def runbook_task_spec(alert: Alert) -> PlaybookItem:
    """The operations item asking for the alert's runbook (key ``runbook:<slug>``).

    Its criteria name the alert and are specific enough to pass the criteria lint:
    triage steps, causes with fixes, rollback, escalation, and no skeleton left. An
    alert defined at several severities gets one item covering every rule.
    """
    name = _inline(alert.name)
    criteria = (
        f"Diagnosis section of the `{name}` runbook lists at least 3 numbered triage steps, each with the exact "
        "command or query to run and what its output tells the responder",
        f"Resolution section names at least 3 common causes of `{name}` firing, each paired with its fix: a command "
        "to run or a file to change",
        f"Rollback section gives the command that restores the last known-good release and the query showing "
        f"`{name}` has 0 firing instances afterwards",
        f"Escalation section for `{name}` ({_severity_words(alert)}) names the on-call rotation, a second-level contact "
        "and the minutes after which to escalate (30 or fewer for critical alerts)",
        f"The runbook document '{runbook_document_title(alert)}' contains 0 `{PLACEHOLDER}` markers",
    )
    where = "; ".join(
        f"{rule.severity or 'no severity'} at {rule.location} ({rule.position})" for rule in alert.rules
    ) if len(alert.rules) > 1 else f"severity {alert.severity or 'unset'}, defined in {alert.location} ({alert.position})"
    covers = f"{len(alert.rules)} rules: {where}" if len(alert.rules) > 1 else where
    description = (
        f"Write the response runbook for alert {alert.name} ({covers}), "
        f"so the on-call person can act on it at 3 a.m. without prior context. The document "
        f"'{runbook_document_title(alert)}' in backlog/docs/ is created with the alert's facts and a skeleton: "
        f"replace every {PLACEHOLDER} marker in its {', '.join(SECTIONS[:-1])} and {SECTIONS[-1]} sections."
    )
    return PlaybookItem(
        key=alert.key,
        title=f"Runbook: {_braces(alert.name)} response",
        area=AREA,
        description=description,
        criteria=criteria,
    )


def _severity_words(alert: Alert) -> str:
    severities = alert.severities
    if len(severities) > 1:
        return "severities " + ", ".join(severities[:-1]) + " and " + severities[-1]
    return f"severity {severities[0] if severities else 'unset'}"


def render_runbook_document(alert: Alert, feature_id: str, feature_title: str) -> str:
    """The markdown body of the alert's runbook document, facts filled in, sections skeleton.

    An alert with several rules (one per severity) gets a table of its rules and every
    expression, so one runbook covers each way the alert can fire.
    """
    name = _inline(alert.name)
    several = len(alert.rules) > 1
    if several:
        facts = [
            ("Alert", f"`{name}`"),
            ("Severities", alert.severity),
            # One summary per rule is shown in the rules table when they differ.
            ("Summary", alert.summary if len({r.summary for r in alert.rules}) == 1 else None),
            ("Description", alert.description if len({r.description for r in alert.rules}) == 1 else None),
            ("Runbook URL", ", ".join(dict.fromkeys(r.runbook_url for r in alert.rules if r.runbook_url)) or None),
            ("Feature", f"{feature_id} {feature_title}".strip()),
        ]
    else:
        facts = [
            ("Alert", f"`{name}`"),
            ("Severity", alert.severity),
            ("Fires after", alert.duration and f"{alert.duration} of the condition holding"),
            ("Summary", alert.summary),
            ("Description", alert.description),
            ("Group", alert.group),
            ("Defined in", f"`{alert.location}` ({alert.position})"),
            ("Runbook URL", alert.runbook_url),
            ("Feature", f"{feature_id} {feature_title}".strip()),
        ]
    table = "\n".join(f"| {label} | {_cell(value)} |" for label, value in facts if value)
    if several:
        rows = "\n".join(
            f"| {_cell(rule.severity or '(unset)')} | {_cell(rule.duration or '-')} | {_cell(rule.summary or '-')} | "
            f"{_cell(rule.group or '-')} | `{_cell(rule.location)}` ({_cell(rule.position)}) |"
            for rule in alert.rules
        )
        expressions = "\n\n".join(
            f"{rule.severity or 'No severity'} (`{rule.location}`):\n\n"
            f"{_fenced(rule.expr or '(no expression in the alert file)')}"
            for rule in alert.rules
        )
        defined = (
            f"\nThis runbook covers {len(alert.rules)} rules of this alert:\n\n"
            f"| Severity | Fires after | Summary | Group | Defined in |\n|---|---|---|---|---|\n{rows}\n\n"
            f"Expressions:\n\n{expressions}\n"
        )
        first_step = (
            "1. Find which of the rules above fires (its severity label) and evaluate that rule's expression "
            "to see the current value.\n"
        )
        steps = 2
        paged = f"each severity ({alert.severity})"
    else:
        defined = f"\nExpression:\n\n{_fenced(alert.expr or '(no expression in the alert file)')}\n"
        first_step = (
            f"1. Confirm the alert and see its current value by evaluating its expression:\n\n"
            f"{_fenced(alert.expr, indent='   ')}\n\n"
            if alert.expr
            else ""
        )
        steps = 2 if alert.expr else 1
        paged = f"severity {alert.severity or '(unset)'}"
    return f"""# {runbook_document_title(alert)}

<!-- flowops:{alert.label} -->

What to do when `{name}` fires. Each line that starts with a TODO marker is skeleton:
replace it with what you know. The feature cannot be marked Deployed while one remains.

## Alert

| Fact | Value |
|---|---|
{table}
{defined}
## Symptoms

- {PLACEHOLDER}: what users notice while `{name}` fires (errors, slowness, missing data).
- {PLACEHOLDER}: which dashboard panels and related alerts change, and what healthy looks like.

## Diagnosis

{first_step}{steps}. {PLACEHOLDER}: the next check, with the exact command or query, and how to read its output.
{steps + 1}. {PLACEHOLDER}: how to tell the common causes apart (recent deploy, dependency, traffic, capacity).

## Resolution

- {PLACEHOLDER}: for each common cause, the fix as commands to run or files to change.
- {PLACEHOLDER}: how to confirm recovery (the expression above back under its threshold).

## Rollback

- {PLACEHOLDER}: the command that restores the last known-good release or configuration.
- {PLACEHOLDER}: how to verify the rollback and who to tell.

## Escalation

- {PLACEHOLDER}: who is paged first for {paged}, and through which channel.
- {PLACEHOLDER}: after how many minutes without progress to escalate, and to whom.
"""


def unfilled_sections(body: str) -> list[str]:
    """The runbook sections of ``body`` that are still skeleton, in document order of SECTIONS.

    A section is unfilled when its heading is missing, when it holds the
    ``TODO(runbook)`` marker, or when it has no text besides comments. A heading
    counts for a section when its first word is the section's name, at any level
    ("## Rollback procedure", "### Escalation path"); sub-headings belong to it.
    """
    bodies = _section_bodies(body)
    unfilled = []
    for section in SECTIONS:
        text = "\n".join(bodies.get(section.lower(), [])) if section.lower() in bodies else None
        if text is None or PLACEHOLDER in text or not _COMMENT.sub("", text).strip():
            unfilled.append(section)
    return unfilled


def section_text(body: str, section: str) -> str | None:
    """The text under the runbook section ``section`` (one of SECTIONS) of ``body``, or None without that heading."""
    lines = _section_bodies(body).get(section.lower())
    return None if lines is None else "\n".join(lines).strip("\n")


@dataclass
class RunbookLink:
    """The runbook ``flowops operate`` made for one alert: its task and its document (either may be missing).

    When several tasks carry the alert's key label (one per feature that alerts on the
    same name), ``task`` is the one with the lowest id.
    """

    alert: str
    label: str
    task: Task | None = None
    document: Document | None = None


def runbook_label(alert_name: str) -> str:
    """The key label of the runbook task and document of the alert called ``alert_name``."""
    return f"{KEY_LABEL_PREFIX}{AREA}:{slugify(alert_name)}"


def find_runbook(backlog: Backlog, alert_name: str) -> RunbookLink:
    """Find the runbook task and document of the alert ``alert_name`` in ``backlog``.

    The task is the lowest-id task in ``tasks/`` or ``completed/`` carrying the alert's
    key label. The document is found as ``flowops operate`` finds it
    (``Inventory.document_for``): by its key (the frontmatter tag, else the body line of
    earlier versions), failing that through the task's documentation entry. Unreadable
    files are skipped. Nothing is written.
    """
    from flowops.backlog.naming import id_parts
    from flowops.backlog.taskfile import MAX_FILE_BYTES, TaskFile, TaskParseError
    from flowops.ops.operate import runbook_documents

    label = runbook_label(alert_name)
    link = RunbookLink(alert_name, label)
    marker = label.encode()
    tasks: list[Task] = []
    for ref in backlog.scan(("tasks", "completed")):
        try:
            with open(ref.spath, "rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)  # TaskFile refuses bigger files; never read one whole
            if marker not in raw:
                continue
            task = TaskFile(raw, ref.path, ref.folder).parsed
        except (OSError, TaskParseError):
            continue
        if label in (item.strip() for item in task.labels):
            tasks.append(task)
    if tasks:
        link.task = min(tasks, key=lambda t: (id_parts(t.id) or ("", ()))[1])
    link.document = runbook_documents(backlog).document_for(label, link.task)
    return link


def document_key(body: str) -> str | None:
    """The key label (``ops:runbook:<slug>``) of the hidden body line earlier versions wrote, if any."""
    match = _KEY_MARKER.search(body)
    return match.group(1) if match else None


def document_tags(alert: Alert) -> list[str]:
    """The frontmatter tags of the alert's runbook document: ``runbook`` and its key label."""
    return [RUNBOOK_TAG, alert.label]


def tagged_keys(tags: list[str]) -> list[str]:
    """The runbook key labels among a document's tags."""
    return [tag.strip() for tag in tags if tag.strip().startswith(KEY_PREFIX) and len(tag.strip()) > len(KEY_PREFIX)]


def document_keys(tags: list[str], body: str) -> tuple[list[str], bool]:
    """The runbook key labels of a document and whether they came from its frontmatter.

    Tags win; the hidden body line counts only for a document without a key tag.
    """
    tagged = tagged_keys(tags)
    if tagged:
        return tagged, True
    legacy = document_key(body)
    return ([legacy] if legacy else []), False


def _section_bodies(body: str) -> dict[str, list[str]]:
    """The lines under each runbook section's heading, keyed by the section's name in lower case."""
    bodies: dict[str, list[str]] = {}
    for _number, line, section in _sections(body):
        if section is not None:
            bodies.setdefault(section.lower(), [])
            if line is not None:
                bodies[section.lower()].append(line)
    return bodies


def _sections(body: str) -> Iterator[tuple[int, str | None, str | None]]:
    """(1-based line number, the line or None for a section's heading, the runbook section it is in or None).

    A heading whose first word names a section (``## Triage steps``) opens it; a heading of
    the same or a higher level ends it. Headings in fenced code are code (``skeleton.outline``).
    """
    names = {section.lower(): section for section in SECTIONS}
    current: str | None = None
    current_level = 0
    for number, (line, level, title) in enumerate(outline(body.splitlines()), 1):
        if level is not None:
            words = re.findall(r"[a-z]+", title.lower())
            first = words[0] if words else ""
            if first in names:
                current, current_level = names[first], level
                yield number, None, current
                continue
            if current is not None and level <= current_level:
                current = None
        yield number, line, current


def _inline(text: str) -> str:
    # Names go inside `code` spans; a backtick would end the span early.
    return text.replace("`", "'")


def _braces(text: str) -> str:
    # Item titles are str.format templates ({feature}); literal braces must be doubled.
    return text.replace("{", "{{").replace("}", "}}")


def _cell(value: str) -> str:
    return " ".join(value.split()).replace("|", "\\|")


def _fenced(code: str, indent: str = "") -> str:
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    lines = [fence, *code.splitlines(), fence]
    return "\n".join(indent + line if line else line for line in lines)


@dataclass(frozen=True)
class RunbookFill:
    """How far a runbook document is written: sections still skeleton, skeleton prompts left."""

    unfilled_sections: tuple[str, ...]  # missing or empty (prompts aside)
    prompts: tuple[PromptLeft, ...]
    prompt_sections: tuple[str, ...] = ()  # the sections the prompts are in

    @property
    def filled(self) -> bool:
        return not self.unfilled_sections and not self.prompts

    @property
    def skeleton_sections(self) -> list[str]:
        """Every section not written yet (prompts left, empty or missing), in the order of SECTIONS."""
        left = set(self.unfilled_sections) | set(self.prompt_sections)
        return [section for section in SECTIONS if section in left]

    def problems(self) -> list[tuple[int | None, str]]:
        """(line in the document or None, what is unfilled), prompts first, in document order."""
        found: list[tuple[int | None, str]] = []
        for left in self.prompts:
            what = "TODO(runbook) marker" if left.marker else "skeleton prompt left without its marker"
            found.append((left.line, f"{what}: {_shorten(left.prompt)}"))
        found += [(None, f"section {section} is missing or has no text") for section in self.unfilled_sections]
        return found


def runbook_fill(body: str, alert: Alert | None = None) -> RunbookFill:
    """Judge a runbook document against the skeleton flowops generated for its alert.

    A document is filled when every section has text and no skeleton prompt is left,
    with or without its ``TODO(runbook)`` marker (``flowops.skeleton.prompts_left``).
    ``alert`` is the alert the document was generated for; without it, the alert's name
    and severity are read back from the document's facts table.
    """
    alert = alert or _alert_from_document(body)
    prompts = prompts_left(body, render_runbook_document(alert, "", ""), PLACEHOLDER)
    sections = [s for s in unfilled_sections(body) if not _only_prompts_explain(s, body, prompts)]
    where = _sections_by_line(body)
    in_sections = tuple(dict.fromkeys(where[p.line] for p in prompts if p.line in where))
    return RunbookFill(tuple(sections), tuple(prompts), in_sections)


def _sections_by_line(body: str) -> dict[int, str]:
    """1-based line number -> the runbook section (as spelled in SECTIONS) it belongs to."""
    return {number: section for number, line, section in _sections(body) if section is not None and line is not None}


def _only_prompts_explain(section: str, body: str, prompts: list[PromptLeft]) -> bool:
    # A section that is unfilled only because of the prompts already reported is not
    # reported twice; an empty or missing section still is.
    text = "\n".join(_section_bodies(body).get(section.lower(), []))
    return bool(text.strip()) and bool(prompts) and PLACEHOLDER in text


_FACT = re.compile(r"^\|\s*(Alert|Severity|Severities)\s*\|\s*(.*?)\s*\|\s*$", re.M)
_TITLE = re.compile(r"^#\s+Runbook:\s*(.+?)\s*$", re.M)


def _alert_from_document(body: str) -> Alert:
    """The alert a runbook was generated for, as far as its facts table tells (name and severities)."""
    from flowops.ops.alerts import AlertRule

    facts = {label: value for label, value in _FACT.findall(body)}
    name = facts.get("Alert", "").strip("`").strip()
    if not name:
        title = _TITLE.search(body)
        name = title.group(1) if title else "alert"
    slug = slugify(name) or "alert"
    # An alert of several rules lists its severities; the skeleton has one rule per severity.
    severities = [s.strip() for s in (facts.get("Severities") or facts.get("Severity") or "").split(",") if s.strip()]
    rules = tuple(AlertRule(name=name, slug=slug, expr="", duration=None, severity=severity, summary=None,
                            description=None, runbook_url=None, group=None, source="", line=None, position="")
                  for severity in severities or [None])
    return Alert(name=name, slug=slug, rules=rules)


def _shorten(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."

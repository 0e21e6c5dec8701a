"""The built-in event names and what each one's ``data`` carries.

Custom names are allowed too; this list is what flowops itself emits and what
``flowops hooks events`` shows. Every event's data also has spec_id, task_id and files.
"""

from __future__ import annotations

CATALOG: dict[str, str] = {
    "task.created": "a task was created; data: title, status, labels, parent_task_id",
    "task.updated": "task fields were edited; data: changed (the field names)",
    "task.status_changed": "a task's status changed; data: from, to",
    "task.ac_checked": "an acceptance criterion was checked; data: index, text",
    "task.ac_unchecked": "an acceptance criterion was unchecked; data: index, text",
    "task.completed": "a task reached Done",
    "task.archived": "a task was archived",
    "workflow.transitioned": "a task moved between workflow states; data: from, to, workflow",
    "workflow.state_check_skipped": "a workflow state check was bypassed; data: workflow, from, reason",
    "workflow.verification_skipped": "a move skipped the checks bound to criteria (--no-verify); data: workflow, from, "
                                     "to, reason, criteria",
    "operate.started": "flowops operate began for a validated task",
    "operate.completed": "flowops operate finished and the task moved to Deployed",
    "deploy.started": "a deployment began (emitted by scripts and CI)",
    "deploy.completed": "a deployment finished; files names what was deployed",
    "deploy.failed": "a deployment failed",
    "runbook.created": "a runbook document was created for an alert; data: doc_id, alert",
    "ac.verified": "ac verify --update judged a task's criteria by their checks; data: results, checked, unchecked, "
                   "summary, commit, dirty",
    "incident.opened": "an incident was opened; data: title, severity, source, alerts, runbooks, feature_id, opened_at",
    "incident.updated": "an Alertmanager notification changed an open incident; data: group_key, entries, firing",
    "incident.acknowledged": "a person first responded to an incident; data: by, at, seconds_to_acknowledge",
    "incident.note_added": "a note was added to an incident's timeline; data: by, text, at",
    "incident.resolved": "an incident was resolved; data: resolved_at, by, seconds_to_resolve, postmortem_required, closed",
    "incident.postmortem_created": "an incident's postmortem document and task were created; data: doc_id, postmortem_task_id",
    "incident.postmortem_waived": "an incident's postmortem was waived; data: by, reason",
    "incident.action_items_created": "postmortem action items became tasks; data: doc_id, task_ids, items",
    "git.commit": "a commit was made; data: sha, branch, author, message, files, task_ids",
    "git.merge": "a merge was completed (post-merge hook)",
    "git.push": "refs are about to be pushed; data: refs",
    "git.checkout": "a branch or commit was checked out (post-checkout hook)",
}

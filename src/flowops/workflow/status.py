"""Where a task stands in the workflow: its state, what may run now, where it can go next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flowops.workflow.model import Workflow, WorkflowConfig, state_key
from flowops.workflow.state import state_label_value, state_of

if TYPE_CHECKING:
    from flowops.backlog.model import Task


@dataclass
class TaskStatus:
    id: str
    title: str
    state: str
    label: str | None  # the workflow label as written; None when the first state is implied
    runnable: list[Workflow]
    next: list[tuple[str, str]]  # (state, via), declared transitions first, in file order
    workflow_source: str

    @property
    def terminal(self) -> bool:
        return not any(via not in ("rework", "rollback") for _state, via in self.next)

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "state": self.state,
            "label": self.label,
            "implicit": self.label is None,
            "terminal": self.terminal,
            "workflows": [{"name": w.name, "command": w.command, "output_state": w.output_state} for w in self.runnable],
            "next": [{"state": state, "via": via} for state, via in self.next],
            "workflow_file": self.workflow_source,
        }


def task_status(config: WorkflowConfig, task: Task) -> TaskStatus:
    """The workflow status of ``task`` (raises ConfigError for a bad or ambiguous state label)."""
    state = state_of(task.labels, config, task=task.id)
    label = next((label.strip() for label in task.labels if state_label_value(label) is not None), None)
    runnable = config.runnable_from(state)
    moves = [(config.canonical_state(t.to_state) or t.to_state, t.via) for t in config.transitions_from(state)]
    # A workflow can run even when its transition is not declared (validate warns about it).
    for workflow in runnable:
        move = (workflow.output_state, workflow.name)
        if state_key(workflow.output_state) != state_key(state) and move not in moves:
            moves.append(move)
    return TaskStatus(task.id, task.title, state, label, runnable, moves, config.source)

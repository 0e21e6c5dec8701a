"""The state guard: may this workflow run on a task in this state? (pure, no I/O)"""

from __future__ import annotations

from dataclasses import dataclass, field

from flowops.errors import UsageError
from flowops.workflow.model import Workflow, WorkflowConfig, state_key

BYPASS_FLAGS = '--skip-state-check --reason "<why>"'


@dataclass
class Decision:
    """The guard's answer; ``message`` is what a person or an agent should read."""

    allowed: bool
    message: str
    workflow: str
    command: str
    current_state: str
    required_states: list[str]
    output_state: str
    runnable: list[str] = field(default_factory=list)  # workflow names that may run now, sorted
    bypass: str | None = None  # the command line that skips the check, when blocked

    def to_dict(self) -> dict:
        return {
            "allowed": self.allowed,
            "workflow": self.workflow,
            "command": self.command,
            "current_state": self.current_state,
            "required_states": list(self.required_states),
            "output_state": self.output_state,
            "runnable": list(self.runnable),
            "message": self.message,
            "bypass": self.bypass,
        }


def find_workflow(config: WorkflowConfig, name: str) -> Workflow:
    """The workflow called ``name`` or whose command is ``name`` (``operate`` or ``/flow:operate``).

    Raises UsageError (exit 2) listing the known workflows.
    """
    workflow = config.workflow(name)
    if workflow is None:
        wanted = name.strip()
        workflow = next((w for w in config.workflows.values() if w.command == wanted), None)
    if workflow is None:
        known = ", ".join(f"{w.name} ({w.command})" for w in config.workflows.values()) or "none"
        raise UsageError(f"unknown workflow '{name}'", hint=f"workflows in {config.source}: {known}")
    return workflow


def check(config: WorkflowConfig, workflow_name: str, current_state: str, *, task_id: str | None = None) -> Decision:
    """Decide whether ``workflow_name`` may run on a task in ``current_state``.

    ``task_id`` only makes the message concrete. An unknown workflow raises UsageError.
    """
    workflow = find_workflow(config, workflow_name)
    current = config.canonical_state(current_state) or current_state
    required = list(workflow.input_states)
    runnable = [w.name for w in config.runnable_from(current)]
    allowed = state_key(current) in {state_key(s) for s in required}
    subject = task_id or "the task"
    if allowed:
        message = f"{workflow.command} may run on {subject}: it is in {current}; it will move to {workflow.output_state}."
        return Decision(True, message, workflow.name, workflow.command, current, required, workflow.output_state, runnable)
    bypass = f"flowops workflow advance {workflow.name} {task_id or '<ID>'} {BYPASS_FLAGS}"
    now = ", ".join(f"{name} ({config.workflows[name].command})" for name in runnable) or "none"
    message = (
        f"{workflow.command} is blocked for {subject}: it is in {current}, "
        f"but workflow '{workflow.name}' requires {_one_of(required)}.\n"
        f"Workflows that can run now: {now}\n"
        f"To bypass the state check (emergencies only; recorded in the audit log): {bypass}"
    )
    return Decision(False, message, workflow.name, workflow.command, current, required, workflow.output_state, runnable, bypass)


def _one_of(states: list[str]) -> str:
    return states[0] if len(states) == 1 else "one of " + ", ".join(states)

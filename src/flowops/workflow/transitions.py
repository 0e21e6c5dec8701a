"""Moving a task between workflow states: the guard, plugin vetoes, the write and its events.

Used by ``flowops workflow advance/set/check`` and by ``flowops operate``. Nothing here
prints; a refused move raises (BlockedError, exit 4) before anything is written.

``backlog`` is a ``flowops.backlog.store.Backlog`` (``get``, ``update``, ``config`` for the
done status; a move into the done state passes ``flowops.acceptance.done_gate``); ``plugins`` a
``flowops.plugins.Plugins`` (or None for no plugin guards); ``emit`` is a
``flowops.events.emitter.Emit`` (None: the project's event bus).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from flowops.errors import BlockedError, StoreError, UsageError
from flowops.events.emitter import BusEmitter, Emit
from flowops.workflow.guard import Decision, check, find_workflow
from flowops.workflow.model import MANUAL, SPECIAL_VIAS, WorkflowConfig, state_key
from flowops.workflow.state import state_of, with_state

if TYPE_CHECKING:
    from flowops.backlog.model import Task
    from flowops.backlog.store import Backlog
    from flowops.plugins import Plugins

TRANSITIONED = "workflow.transitioned"
STATE_CHECK_SKIPPED = "workflow.state_check_skipped"
VERIFICATION_SKIPPED = "workflow.verification_skipped"


@dataclass
class TransitionResult:
    """What a move did. ``changed`` is False when the task already was in the target state."""

    task: Any
    from_state: str
    to_state: str
    via: str
    changed: bool
    skipped_state_check: bool = False
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)
    gates: tuple[str, ...] = ()
    skipped_verification: list[dict] = field(default_factory=list)  # bound criteria --no-verify left unverified

    def to_dict(self) -> dict:
        return {
            "id": self.task.id,
            "from": self.from_state,
            "to": self.to_state,
            "via": self.via,
            "changed": self.changed,
            "skipped_state_check": self.skipped_state_check,
            "reason": self.reason,
            "gates": list(self.gates),
            "skipped_verification": list(self.skipped_verification),
        }


def check_task(backlog: Backlog, config: WorkflowConfig, task_id: str, workflow_name: str, *, plugins: Plugins | None = None) -> Decision:
    """The guard's decision for running ``workflow_name`` on the task, plugin vetoes included.

    Writes nothing; ``flowops workflow check`` shows it and exits 4 when not allowed.
    """
    task = backlog.get(task_id)
    current = state_of(task.labels, config, task=task.id)
    decision = check(config, workflow_name, current, task_id=task.id)
    if not decision.allowed:
        return decision
    veto = _veto(plugins, task, current, decision.output_state, decision.workflow)
    if veto is not None:
        return replace(decision, allowed=False, message=veto)
    from flowops.workflow.gates import check_gates, gates_for, refusal

    gates = gates_for(config, current, decision.output_state, decision.workflow)
    found = check_gates(backlog, task, gates, plugins=plugins, move=f"check {decision.workflow} {task.id}")
    if found.passed:
        return decision
    lines = [refusal(task.id, decision.output_state, found)]
    for failure in found.failures:
        lines += [f"  - {failure.message}", *(f"      {detail}" for detail in failure.details)]
    return replace(decision, allowed=False, message="\n".join(lines))


def check_bypass(skip_state_check: bool, reason: str | None, *, no_verify: bool = False) -> str | None:
    """The trimmed reason; UsageError unless each bypass (--skip-state-check, --no-verify) comes with --reason."""
    reason = reason.strip() if reason else None
    for flag, used in (("--skip-state-check", skip_state_check), ("--no-verify", no_verify)):
        if used and not reason:
            raise UsageError(
                f"{flag} needs --reason TEXT",
                hint='say why the check is bypassed, e.g. --reason "hotfix for incident 42"; it is recorded in the audit log',
            )
    if reason and not (skip_state_check or no_verify):
        raise UsageError("--reason is only used with --skip-state-check or --no-verify")
    return reason


def advance(
    backlog: Backlog,
    config: WorkflowConfig,
    task_id: str,
    workflow_name: str,
    *,
    plugins: Plugins | None = None,
    skip_state_check: bool = False,
    reason: str | None = None,
    emit: Emit | None = None,
    no_verify: bool = False,
) -> TransitionResult:
    """Run the state side of ``workflow_name`` on the task: check, ask plugins and gates, set the output state.

    ``skip_state_check`` bypasses the state guard (not plugin vetoes, not gates) and
    needs a ``reason``; the bypass is emitted as ``workflow.state_check_skipped`` so it
    lands in the audit log. ``no_verify`` skips the ``criteria_verified`` gates only,
    also with a ``reason``, emitted as ``workflow.verification_skipped``.
    """
    reason = check_bypass(skip_state_check, reason, no_verify=no_verify)
    workflow = find_workflow(config, workflow_name)
    task = backlog.get(task_id)
    current = state_of(task.labels, config, task=task.id)
    decision = check(config, workflow.name, current, task_id=task.id)
    bypassed = not decision.allowed
    if bypassed and not skip_state_check:
        raise BlockedError(decision.message)
    result = _move(backlog, config, task, current, workflow.output_state, workflow.name, plugins, no_verify)
    result.skipped_state_check = bypassed
    result.reason = reason
    if result.changed:
        emit = emit if emit is not None else BusEmitter(backlog.project)
        _emit_verification_skipped(emit, result, reason)
        if bypassed:
            emit(
                STATE_CHECK_SKIPPED,
                result.task.id,
                {
                    "workflow": workflow.name,
                    "command": workflow.command,
                    "from": current,
                    "to": workflow.output_state,
                    "required_states": list(workflow.input_states),
                    "reason": reason,
                },
            )
        _emit_transitioned(emit, result)
    return result


def set_state(
    backlog: Backlog,
    config: WorkflowConfig,
    task_id: str,
    state: str,
    *,
    via: str = MANUAL,
    plugins: Plugins | None = None,
    emit: Emit | None = None,
    no_verify: bool = False,
    reason: str | None = None,
) -> TransitionResult:
    """Move the task to ``state`` by hand, along a declared ``manual``/``rework``/``rollback`` transition.

    The transition's gates apply; ``no_verify`` (with a ``reason``) skips its
    ``criteria_verified`` gates, emitted as ``workflow.verification_skipped``.
    """
    reason = check_bypass(False, reason, no_verify=no_verify)
    if via not in SPECIAL_VIAS:
        raise UsageError(
            f"--via must be one of {', '.join(SPECIAL_VIAS)}, not '{via}'",
            hint=f"to run a workflow, use `flowops workflow advance {via} {task_id}`",
        )
    target = config.canonical_state(state)
    if target is None:
        raise UsageError(f"unknown workflow state '{state}'", hint=f"states in {config.source}: {', '.join(config.states)}")
    task = backlog.get(task_id)
    current = state_of(task.labels, config, task=task.id)
    if state_key(current) != state_key(target):
        declared = [t for t in config.transitions_from(current) if state_key(t.to_state) == state_key(target)]
        if not any(t.via == via for t in declared):
            raise BlockedError(_undeclared_message(config, task.id, current, target, via, declared))
    result = _move(backlog, config, task, current, target, via, plugins, no_verify)
    result.reason = reason
    if result.changed:
        emit = emit if emit is not None else BusEmitter(backlog.project)
        _emit_verification_skipped(emit, result, reason)
        _emit_transitioned(emit, result)
    return result


def _undeclared_message(config: WorkflowConfig, task_id: str, current: str, target: str, via: str, declared: list) -> str:
    moves = ", ".join(f"{t.to_state} (via {t.via})" for t in config.transitions_from(current)) or "none"
    message = (
        f"{task_id} cannot move from {current} to {target} via {via}: {config.source} declares no such transition.\n"
        f"Declared moves from {current}: {moves}"
    )
    for transition in declared:
        if transition.via in SPECIAL_VIAS:
            message += f"\nThis move is declared via {transition.via}: use --via {transition.via}"
        else:
            message += f"\nThis move belongs to workflow '{transition.via}': flowops workflow advance {transition.via} {task_id}"
    return message


def _move(backlog: Backlog, config: WorkflowConfig, task: Any, current: str, target: str, via: str, plugins: Plugins | None,
          no_verify: bool = False) -> TransitionResult:
    before = len(plugins.failures) if plugins is not None else 0
    if state_key(current) == state_key(target):
        return TransitionResult(task, current, target, via, changed=False, warnings=_failures(plugins, before))
    gate_done = _done_gate(backlog, target)
    if gate_done is not None:
        gate_done(task)
    veto = _veto(plugins, task, current, target, via)
    if veto is not None:
        raise BlockedError(veto)
    gates = _gates(backlog, config, task, current, target, via, plugins, no_verify)

    def set_label(fresh: Any) -> None:
        # The guard ran on an earlier read; the lock is only held from here, so make sure
        # nobody moved the task in between instead of overwriting their move.
        now = state_of(fresh.labels, config, task=fresh.id)
        if state_key(now) != state_key(current):
            raise StoreError(
                f"{fresh.id} moved from {current} to {now} while this command ran; nothing was written",
                hint="rerun the command to decide on the new state",
            )
        fresh.labels = with_state(fresh.labels, target)
        if gate_done is not None:
            gate_done(fresh)  # criteria may have been unchecked since the first read

    written = backlog.update(task.id, set_label).after
    return TransitionResult(written, current, target, via, changed=True, warnings=_failures(plugins, before),
                            gates=gates.gates, skipped_verification=gates.skipped)


def _gates(backlog: Backlog, config: WorkflowConfig, task: Any, current: str, target: str, via: str, plugins: Plugins | None,
           no_verify: bool) -> Any:
    """The workflow.yml gates of this move, enforced (flowops.workflow.gates)."""
    from flowops.workflow.gates import enforce_gates, gates_for

    return enforce_gates(backlog, task, gates_for(config, current, target, via), target=target, plugins=plugins,
                         no_verify=no_verify, move=f"{via} {task.id} {current} -> {target}")


def _emit_verification_skipped(emit: Emit, result: TransitionResult, reason: str | None) -> None:
    if result.skipped_verification:
        emit(VERIFICATION_SKIPPED, result.task.id, {"workflow": result.via, "from": result.from_state,
                                                    "to": result.to_state, "reason": reason,
                                                    "criteria": list(result.skipped_verification)})


def _done_gate(backlog: Backlog, target: str) -> Callable[[Task], None] | None:
    """The Done gate for a move into ``target``, or None when ``target`` is not the done state.

    The workflow's done state is the state named like the backlog's done status
    (``Done``); entering it passes the same gate as ``task edit -s Done``.
    """
    from flowops.acceptance.done_gate import enforce_done, is_done_status

    done_status = backlog.config.done_status
    if not is_done_status(target, done_status):
        return None
    project = getattr(backlog, "project", None)
    setting = project.config.get("require_checked_ac_for_done") if project is not None else None

    def gate(task: Task) -> None:
        # The label the move adds counts: a task entering the workflow's Done state takes part in the workflow.
        probe = replace(task, labels=with_state(task.labels, target))
        enforce_done(probe, target, setting, hint=(
            f"check them with `flowops task edit {task.id} --check-ac N` once they are true, then move it again"))

    return gate


def _veto(plugins: Plugins | None, task: Any, current: str, target: str, via: str) -> str | None:
    """The message of the first plugin that refuses the move, or None."""
    if plugins is None:
        return None
    answer = plugins.first_result("check_transition", task=task, from_state=current, to_state=target, workflow=via)
    if answer is None:
        return None
    name, reason = answer
    reason = str(reason).strip() or "no reason given"
    kind = f"via {via}" if via in SPECIAL_VIAS else f"workflow '{via}'"
    return f"plugin '{name}' refused to move {task.id} from {current} to {target} ({kind}): {reason}"


def _failures(plugins: Plugins | None, before: int) -> list[str]:
    if plugins is None:
        return []
    return [str(failure) for failure in plugins.unreported(plugins.failures[before:])]


def _emit_transitioned(emit: Emit, result: TransitionResult) -> None:
    emit(TRANSITIONED, result.task.id, {"from": result.from_state, "to": result.to_state, "workflow": result.via})

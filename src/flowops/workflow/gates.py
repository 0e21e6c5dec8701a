"""Gates: what a task must show before a workflow move, declared in workflow.yml.

A workflow or a transition may list ``gates:``; a move runs every gate of its workflow
(for ``workflow advance``) and of the declared transition it takes:

- ``criteria_checked``: every acceptance criterion of the task is ticked;
- ``criteria_verified``: every criterion bound to a check (``verify:``) passes it,
  ticked or not; the checks read the repository (``flowops ac verify``). ``--no-verify
  --reason`` skips this gate only, and the bypass is recorded
  (``workflow.verification_skipped``);
- ``plugin:NAME``: the plugin NAME must be loaded and implement ``check_transition``,
  whose veto every move already asks for. Declaring it means an uninstalled or
  disabled plugin blocks the move instead of silently letting it through.

A gate that is not met refuses the move before anything is written: exit 3 for
criteria (listing each criterion and its evidence), exit 4 for a missing plugin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flowops.errors import BlockedError, CriteriaNotMet, Problem
from flowops.workflow.model import WorkflowConfig, state_key

if TYPE_CHECKING:
    from flowops.backlog.model import Task
    from flowops.backlog.store import Backlog
    from flowops.plugins import Plugins

CRITERIA_CHECKED = "criteria_checked"
CRITERIA_VERIFIED = "criteria_verified"
PLUGIN_PREFIX = "plugin:"
BUILTIN_GATES = (CRITERIA_CHECKED, CRITERIA_VERIFIED)


def gate_problem(name: str) -> str | None:
    """Why ``name`` is not a gate (None when it is one)."""
    if name in BUILTIN_GATES:
        return None
    if name.startswith(PLUGIN_PREFIX) and name[len(PLUGIN_PREFIX):].strip():
        return None
    return f"unknown gate '{name}' (gates: {', '.join(BUILTIN_GATES)}, or plugin:NAME for a plugin's check_transition)"


def gates_for(config: WorkflowConfig, current: str, target: str, via: str) -> tuple[str, ...]:
    """The gates of a move from ``current`` to ``target`` via a workflow or manual/rework/rollback."""
    found: list[str] = []
    workflow = config.workflows.get(via)
    if workflow is not None:
        found += workflow.gates
    for transition in config.transitions_from(current):
        if transition.via == via and state_key(transition.to_state) == state_key(target):
            found += transition.gates
    return tuple(dict.fromkeys(found))


@dataclass
class GateFailure:
    """A gate that is not met: the gate, a one-line reason and one line per criterion or piece of evidence."""

    gate: str
    message: str
    details: list[str] = field(default_factory=list)


@dataclass
class GateCheck:
    """The gates of one move and what they found. ``skipped`` lists bound criteria --no-verify left unverified."""

    gates: tuple[str, ...]
    failures: list[GateFailure] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def check_gates(backlog: Backlog, task: Task, gates: tuple[str, ...], *, plugins: Plugins | None = None, no_verify: bool = False,
                move: str = "") -> GateCheck:
    """Evaluate ``gates`` for ``task`` (nothing is written but the audit record of a verification)."""
    result = GateCheck(gates)
    for gate in gates:
        if gate == CRITERIA_CHECKED:
            _criteria_checked(task, result)
        elif gate == CRITERIA_VERIFIED:
            if no_verify:
                result.skipped = _bound(task)
            else:
                _criteria_verified(backlog, task, plugins, result, move)
        elif gate.startswith(PLUGIN_PREFIX):
            _plugin_gate(gate, plugins, result)
    return result


def enforce_gates(backlog: Backlog, task: Task, gates: tuple[str, ...], *, target: str, plugins: Plugins | None = None,
                  no_verify: bool = False, move: str = "") -> GateCheck:
    """``check_gates``, raising when one is not met: BlockedError for a plugin gate, CriteriaNotMet otherwise."""
    result = check_gates(backlog, task, gates, plugins=plugins, no_verify=no_verify, move=move)
    if result.passed:
        return result
    plugin_failures = [f for f in result.failures if f.gate.startswith(PLUGIN_PREFIX)]
    if plugin_failures:
        raise BlockedError(f"{task.id} cannot move to {target}: " + "; ".join(f.message for f in plugin_failures),
                           hint="install or enable the plugin, or remove the gate from .flowops/workflow.yml")
    raise CriteriaNotMet(refusal(task.id, target, result),
                         problems=[Problem("\n      ".join([f.message, *f.details])) for f in result.failures],
                         hint=_hint(task.id, result))


def refusal(task_id: str, target: str, result: GateCheck) -> str:
    """The one-line refusal for the gates of ``result`` that are not met."""
    names = ", ".join(f.gate for f in result.failures)
    return f"{task_id} cannot move to {target}: the gate{'s' if len(result.failures) > 1 else ''} {names} not met"


def _hint(task_id: str, result: GateCheck) -> str:
    hints = []
    if any(f.gate == CRITERIA_CHECKED for f in result.failures):
        hints.append(f"tick criteria once they are true (`flowops task edit {task_id} --check-ac N`)")
    if any(f.gate == CRITERIA_VERIFIED for f in result.failures):
        hints.append(f"`flowops ac verify {task_id}` shows the evidence; fix what it names, or bypass this gate with "
                     "--no-verify --reason TEXT (audited)")
    return "; ".join(hints)


def _criteria_checked(task: Any, result: GateCheck) -> None:
    unchecked = [c for c in task.acceptance_criteria if not c.checked]
    if unchecked:
        result.failures.append(GateFailure(
            CRITERIA_CHECKED, f"{CRITERIA_CHECKED}: {len(unchecked)} of {len(task.acceptance_criteria)} acceptance "
                              "criteria unchecked",
            [f"#{c.index} {c.text}" for c in unchecked]))


def _criteria_verified(backlog: Backlog, task: Any, plugins: Plugins | None, result: GateCheck, move: str) -> None:
    from flowops.acceptance.verify import verify
    from flowops.checks.runner import make_runner
    from flowops.plugins import get_plugins

    if not _bound(task):
        return
    project = backlog.project
    runner = make_runner(project, backlog, plugins if plugins is not None else get_plugins(project))
    report = verify(project, backlog, runner, [task.id], command=f"gate {CRITERIA_VERIFIED}: {move}".strip())
    bad = [r for r in report.results if r.bound and r.status != "pass"]
    if not bad:
        return
    details = []
    for verdict in bad:
        details.append(f"#{verdict.index} `verify: {verdict.check}` {verdict.status.upper()}: {verdict.summary}")
        details += [f"  {evidence}" for evidence in verdict.evidence]
    bound = sum(1 for r in report.results if r.bound)
    result.failures.append(GateFailure(
        CRITERIA_VERIFIED, f"{CRITERIA_VERIFIED}: {len(bad)} of {bound} bound criteria do not pass their check", details))


def _bound(task: Any) -> list[dict]:
    from flowops.checks.binding import BindingError, find_binding

    found = []
    for criterion in task.acceptance_criteria:
        try:
            binding = find_binding(criterion.text)
        except BindingError as exc:
            found.append({"index": criterion.index, "check": exc.check})
            continue
        if binding is not None:
            found.append({"index": criterion.index, "check": binding.check})
    return found


def _plugin_gate(gate: str, plugins: Plugins | None, result: GateCheck) -> None:
    name = gate[len(PLUGIN_PREFIX):].strip()
    info = plugins.info.get(name) if plugins is not None else None
    if info is None:
        result.failures.append(GateFailure(gate, f"gate {gate}: plugin '{name}' is not loaded"))
    elif "check_transition" not in info.hooks:
        result.failures.append(GateFailure(gate, f"gate {gate}: plugin '{name}' does not implement check_transition"))

"""Semantic checks of a workflow: does the graph it describes make sense?

Errors make the workflow unusable (``flowops workflow validate`` exits 2 and the
guard refuses to run on it); warnings point at something probably unintended.
"""

from __future__ import annotations

import difflib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from flowops.errors import ConfigError, Problem
from flowops.workflow.model import SPECIAL_VIAS, WorkflowConfig, state_key
from flowops.yamlfile import Locations

if TYPE_CHECKING:
    from flowops.project import Project


@dataclass(frozen=True)
class _Edge:
    source: str  # state keys
    target: str
    via: str
    where: tuple  # the field that declares it, for the problem's line


class _Report:
    def __init__(self, locations: Locations) -> None:
        self.locations = locations
        self.problems: list[Problem] = []

    def add(self, severity: str, where: tuple, message: str) -> None:
        field = Locations.dotted(where) or None
        self.problems.append(Problem(message, self.locations.path, self.locations.line(*where), field, severity))

    def error(self, where: tuple, message: str) -> None:
        self.add("error", where, message)

    def warning(self, where: tuple, message: str) -> None:
        self.add("warning", where, message)


@dataclass
class Report:
    """The outcome of validating one workflow file (schema, YAML and semantic problems alike)."""

    file: str  # as shown to the user
    default: bool  # True when the project has no workflow file and the built-in default was checked
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return len(errors_only(self.problems))

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    @property
    def valid(self) -> bool:
        return self.errors == 0

    def to_dict(self) -> dict:
        return {
            "file": self.file,
            "default": self.default,
            "valid": self.valid,
            "errors": self.errors,
            "warnings": self.warnings,
            "problems": [p.to_dict() for p in self.problems],
        }


def check_file(project: Project, file: Path | None = None) -> Report:
    """Validate ``file``, or the project's workflow file (the built-in default when it is absent).

    Never raises for a bad file: YAML and schema errors become problems of the report.
    """
    from flowops.workflow.loader import read_project_workflow, read_workflow, workflow_file

    if file is not None:
        report = Report(str(file), False)
    else:
        path = workflow_file(project)
        report = Report(project.relpath(path), not path.is_file())
    try:
        config = read_workflow(file) if file is not None else read_project_workflow(project)
    except ConfigError as exc:
        report.problems = exc.problems or [Problem(exc.message, exc.path, exc.line, exc.field)]
    else:
        report.problems = validate(config)
    return report


def validate(config: WorkflowConfig, locations: Locations | None = None) -> list[Problem]:
    """Every semantic problem of ``config``, errors and warnings, in file order."""
    report = _Report(locations or config.locations)
    names = _check_states(config, report)
    resolve = _resolver(config, names, report)
    edges = _check_workflows(config, resolve, report) + _check_transitions(config, resolve, report)
    forward = [e for e in edges if e.via not in ("rework", "rollback")]
    _check_cycles(forward, names, report)
    _check_reachable(config, edges, names, report)
    _check_terminal(forward, names, report)
    # Stable sort: problems without a line (none today) keep their place at the front.
    return sorted(report.problems, key=lambda p: p.line or 0)


def errors_only(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def counted(count: int, noun: str) -> str:
    """``counted(2, "error")`` -> "2 errors", for summaries."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _check_states(config: WorkflowConfig, report: _Report) -> dict[str, str]:
    """Map state key -> canonical name; report case-insensitive duplicates."""
    names: dict[str, str] = {}
    first_index: dict[str, int] = {}
    for index, state in enumerate(config.states):
        key = state_key(state)
        if key in names:
            report.error(
                ("states", index),
                f"state '{state}' repeats '{names[key]}' (states[{first_index[key]}]); state names are compared ignoring case",
            )
            continue
        names[key] = state
        first_index[key] = index
    return names


def _resolver(config: WorkflowConfig, names: dict[str, str], report: _Report):
    """A function turning a state as written somewhere into its key, reporting unknown ones."""
    known = list(names.values())

    def resolve(state: str, where: tuple, owner: str) -> str | None:
        key = state_key(state)
        if key not in names:
            close = difflib.get_close_matches(state, known, n=1)
            suggestion = f"; did you mean '{close[0]}'?" if close else f" (states: {', '.join(known)})"
            report.error(where, f"{owner} names the undefined state '{state}'{suggestion}")
            return None
        if names[key] != state:
            report.warning(where, f"'{state}' is spelled '{names[key]}' in states; use the same spelling")
        return key

    return resolve


def _check_workflows(config: WorkflowConfig, resolve, report: _Report) -> list[_Edge]:
    edges: list[_Edge] = []
    if not config.workflows:
        report.warning(("workflows",), "no workflows are defined; `flowops workflow advance` has nothing to run")
    commands: dict[str, str] = {}
    for workflow in config.workflows.values():
        where = ("workflows", workflow.name)
        owner = f"workflow '{workflow.name}'"
        if workflow.command in commands:
            report.warning((*where, "command"), f"{owner} uses the command {workflow.command} of workflow '{commands[workflow.command]}'")
        commands.setdefault(workflow.command, workflow.name)
        target = resolve(workflow.output_state, (*where, "output_state"), owner)
        sources = [resolve(s, (*where, "input_states", i), owner) for i, s in enumerate(workflow.input_states)]
        if target is None:
            continue
        declared = {
            state_key(t.from_state) for t in config.transitions if t.via == workflow.name and state_key(t.to_state) == target
        }
        missing: list[str] = []
        for index, source in enumerate(sources):
            if source is None:
                continue
            if source == target:
                report.warning(
                    (*where, "input_states", index),
                    f"{owner} lists its output state '{workflow.output_state}' as an input state; running it there changes nothing",
                )
                continue
            edges.append(_Edge(source, target, workflow.name, where))
            if source not in declared:
                missing.append(workflow.input_states[index])
        for state in missing:
            report.warning(
                where,
                f"{owner} has no matching transition; add {{from: {state}, to: {workflow.output_state}, via: {workflow.name}}}",
            )
    return edges


def _check_transitions(config: WorkflowConfig, resolve, report: _Report) -> list[_Edge]:
    edges: list[_Edge] = []
    seen: dict[tuple[str, str, str], int] = {}
    order = {state_key(s): i for i, s in enumerate(config.states)}
    for index, transition in enumerate(config.transitions):
        where = ("transitions", index)
        owner = f"transition {transition.from_state} -> {transition.to_state}"
        source = resolve(transition.from_state, (*where, "from"), owner)
        target = resolve(transition.to_state, (*where, "to"), owner)
        via = transition.via
        workflow = config.workflows.get(via)
        if via not in SPECIAL_VIAS and workflow is None:
            known = ", ".join([*config.workflows, *SPECIAL_VIAS])
            report.error((*where, "via"), f"via '{via}' is neither a workflow nor manual, rework, rollback (known: {known})")
            continue
        if source is None or target is None:
            continue
        if source == target:
            report.error(where, f"{owner} does not change the state; remove it")
            continue
        key = (source, target, via)
        if key in seen:
            report.warning(where, f"{owner} via {via} repeats transitions[{seen[key]}]")
            continue
        seen[key] = index
        # A workflow whose own states are undefined is reported once, at the workflow.
        if workflow is not None and _defined(config, workflow):
            if state_key(workflow.output_state) != target:
                report.error(
                    (*where, "to"),
                    f"{owner} is via '{via}', but workflow '{via}' leads to '{workflow.output_state}'",
                )
                continue
            if source not in {state_key(s) for s in workflow.input_states}:
                report.error(
                    (*where, "from"),
                    f"{owner} is via '{via}', but workflow '{via}' runs only from {', '.join(workflow.input_states)}",
                )
                continue
        if via in ("rework", "rollback") and order[target] > order[source]:
            report.warning(where, f"{owner} is a {via} edge but goes forward; {via} edges should lead to an earlier state")
        edges.append(_Edge(source, target, via, where))
    return edges


def _defined(config: WorkflowConfig, workflow) -> bool:
    return all(config.canonical_state(s) is not None for s in (workflow.output_state, *workflow.input_states))


def _check_cycles(forward: list[_Edge], names: dict[str, str], report: _Report) -> None:
    graph: dict[str, list[_Edge]] = {key: [] for key in names}
    for edge in forward:
        graph[edge.source].append(edge)
    order = list(names)
    for component in _strongly_connected(graph, order):
        if len(component) < 2:
            continue
        start = min(component, key=order.index)
        path = _cycle_through(start, graph, component)
        text = names[start]
        for edge in path:
            text += f" -> {names[edge.target]} (via {edge.via})"
        report.error(
            path[-1].where,
            f"forward transitions form a cycle: {text}; make one of these moves a rework or rollback edge, or remove it",
        )


def _strongly_connected(graph: dict[str, list[_Edge]], order: list[str]) -> list[set[str]]:
    """Tarjan's algorithm, iterative (a long chain of states must not hit the recursion limit)."""
    index_of: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    counter = 0
    for root in order:
        if root in index_of:
            continue
        work = [(root, iter(graph[root]))]
        index_of[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            advanced = False
            for edge in edges:
                nxt = edge.target
                if nxt not in index_of:
                    index_of[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(graph[nxt])))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index_of[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index_of[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components


def _cycle_through(start: str, graph: dict[str, list[_Edge]], component: set[str]) -> list[_Edge]:
    """The shortest cycle from ``start`` back to itself inside ``component`` (breadth first)."""
    came_by: dict[str, _Edge] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for edge in graph[node]:
            if edge.target not in component:
                continue
            if edge.target == start:
                path = [edge]
                while path[0].source != start:
                    path.insert(0, came_by[path[0].source])
                return path
            if edge.target not in came_by:
                came_by[edge.target] = edge
                queue.append(edge.target)
    raise AssertionError("a strongly connected component always has a cycle")  # pragma: no cover


def _check_reachable(config: WorkflowConfig, edges: list[_Edge], names: dict[str, str], report: _Report) -> None:
    if not names:
        return
    first = state_key(config.first_state)
    seen = {first}
    queue = deque([first])
    while queue:
        node = queue.popleft()
        for edge in edges:
            if edge.source == node and edge.target not in seen:
                seen.add(edge.target)
                queue.append(edge.target)
    for index, state in enumerate(config.states):
        key = state_key(state)
        if key not in seen and names.get(key) == state:
            report.error(
                ("states", index),
                f"state '{state}' cannot be reached from the first state '{config.first_state}'; add a transition into it",
            )


def _check_terminal(forward: list[_Edge], names: dict[str, str], report: _Report) -> None:
    if not names:
        return
    has_exit = {edge.source for edge in forward}
    if all(key in has_exit for key in names):
        report.error(
            ("states",),
            "no terminal state: every state has a forward move, so no task can ever finish (a last state such as Done needs none)",
        )

"""Reading ``.flowops/workflow.yml`` into a WorkflowConfig, with schema errors that name field and line.

The schema check collects every problem it finds before raising, so one run of
``flowops workflow validate`` shows them all. Semantic checks (undefined states,
cycles, ...) live in ``flowops.workflow.validate``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flowops.errors import ConfigError, Problem
from flowops.workflow.default import DEFAULT_SOURCE, DEFAULT_WORKFLOW_YAML
from flowops.workflow.model import SPECIAL_VIAS, Transition, Workflow, WorkflowConfig
from flowops.yamlfile import MAX_CONFIG_BYTES, Locations, load_yaml, load_yaml_file

WORKFLOW_FILE = "workflow.yml"
SUPPORTED_VERSIONS = (1,)

TOP_KEYS = ("version", "states", "workflows", "transitions")
WORKFLOW_KEYS = ("command", "description", "input_states", "output_state", "gates")
WORKFLOW_REQUIRED = ("command", "input_states", "output_state")
TRANSITION_KEYS = ("from", "to", "via", "gates")
TRANSITION_REQUIRED = ("from", "to", "via")

# Workflow names are typed on the command line (`flowops workflow advance NAME ...`).
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class _Schema:
    """Collects located schema problems for one file."""

    def __init__(self, locations: Locations) -> None:
        self.locations = locations
        self.problems: list[Problem] = []

    def error(self, where: tuple, message: str) -> None:
        self.problems.append(Problem(message, self.locations.path, self.locations.line(*where), Locations.dotted(where) or None))

    def mapping(self, value: Any, where: tuple, allowed: tuple[str, ...], required: tuple[str, ...]) -> bool:
        if not isinstance(value, dict):
            self.error(where, f"must be a mapping with the keys {', '.join(allowed)}, not {_kind(value)}")
            return False
        for key in value:
            if key not in allowed:
                self.error((*where, key), f"unknown key '{key}' (allowed: {', '.join(allowed)})")
        for key in required:
            if key not in value:
                self.error(where, f"missing required key '{key}'")
        return True

    def text(self, value: Any, where: tuple, what: str = "a text") -> str | None:
        if not isinstance(value, str):
            hint = "; quote it" if isinstance(value, (bool, int, float)) else ""
            self.error(where, f"must be {what}, not {_kind(value)}{hint}")
            return None
        if not value.strip():
            self.error(where, "must not be empty")
            return None
        return value

    def state_name(self, value: Any, where: tuple) -> str | None:
        name = self.text(value, where, "a state name")
        if name is None:
            return None
        # A state becomes the label `workflow:<State>`; Backlog.md separates labels with commas.
        if "," in name or "\n" in name:
            self.error(where, f"state '{name}' must not contain a comma or a line break (it becomes a task label)")
            return None
        if name != name.strip():
            self.error(where, f"state '{name}' has leading or trailing spaces; remove them")
            return None
        return name


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, (int, float)):
        return f"{value!r} (a number)"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def parse_workflow(data: Any, locations: Locations, *, is_default: bool = False) -> WorkflowConfig:
    """Check ``data`` (loaded YAML) against the schema and build a WorkflowConfig.

    Raises ConfigError listing every schema problem (file, field, line). The result may
    still be semantically wrong; ``flowops.workflow.validate.validate`` says how.
    """
    schema = _Schema(locations)
    if data is None:
        data = {}
    if not schema.mapping(data, (), TOP_KEYS, ("version", "states", "workflows")):
        _raise(schema, locations)

    version = data.get("version")
    if "version" in data and (isinstance(version, bool) or version not in SUPPORTED_VERSIONS):
        supported = ", ".join(str(v) for v in SUPPORTED_VERSIONS)
        schema.error(("version",), f"unsupported version {version!r} (this flowops reads version {supported})")

    states: list[str] = []
    raw_states = data.get("states")
    if "states" in data:
        if not isinstance(raw_states, list):
            schema.error(("states",), f"must be a list of state names, not {_kind(raw_states)}")
        elif not raw_states:
            schema.error(("states",), "must list at least one state")
        else:
            for index, value in enumerate(raw_states):
                name = schema.state_name(value, ("states", index))
                if name is not None:
                    states.append(name)

    workflows: dict[str, Workflow] = {}
    raw_workflows = data.get("workflows")
    if "workflows" in data and raw_workflows is not None:
        if not isinstance(raw_workflows, dict):
            schema.error(("workflows",), f"must be a mapping of workflow name to its definition, not {_kind(raw_workflows)}")
        else:
            for name, spec in raw_workflows.items():
                workflow = _parse_workflow_entry(schema, name, spec)
                if workflow is not None:
                    workflows[workflow.name] = workflow

    transitions: list[Transition] = []
    raw_transitions = data.get("transitions")
    if raw_transitions is not None:
        if not isinstance(raw_transitions, list):
            schema.error(("transitions",), f"must be a list of {{from, to, via}} entries, not {_kind(raw_transitions)}")
        else:
            for index, spec in enumerate(raw_transitions):
                transition = _parse_transition(schema, index, spec)
                if transition is not None:
                    transitions.append(transition)

    if schema.problems:
        _raise(schema, locations)
    return WorkflowConfig(version, states, workflows, transitions, locations, is_default)


def _parse_workflow_entry(schema: _Schema, name: Any, spec: Any) -> Workflow | None:
    where = ("workflows", name)
    if not isinstance(name, str) or not _NAME.match(name):
        schema.error(where, f"workflow name {name!r} must be a word (letters, digits, '-', '_', '.')")
        return None
    if name in SPECIAL_VIAS:
        schema.error(where, f"'{name}' is reserved for transitions (manual, rework, rollback); choose another workflow name")
        return None
    if not schema.mapping(spec, where, WORKFLOW_KEYS, WORKFLOW_REQUIRED):
        return None
    # Any problem found here makes parse_workflow raise, so a partial entry never escapes.
    command = schema.text(spec.get("command"), (*where, "command"), "a command such as /flow:operate") if "command" in spec else None
    description = schema.text(spec["description"], (*where, "description")) if spec.get("description") is not None else None
    output_state = schema.state_name(spec.get("output_state"), (*where, "output_state")) if "output_state" in spec else None
    input_states: list[str] = []
    raw_inputs = spec.get("input_states")
    if "input_states" in spec:
        if not isinstance(raw_inputs, list) or not raw_inputs:
            schema.error((*where, "input_states"), f"must be a non-empty list of state names, not {_kind(raw_inputs)} (write e.g. [Validated])")
        else:
            for index, value in enumerate(raw_inputs):
                state = schema.state_name(value, (*where, "input_states", index))
                if state is not None:
                    input_states.append(state)
    gates = _gates(schema, spec, where)
    if command is None or output_state is None or not input_states or gates is None:
        return None
    return Workflow(name, command, tuple(input_states), output_state, description, gates)


def _parse_transition(schema: _Schema, index: int, spec: Any) -> Transition | None:
    where = ("transitions", index)
    if not schema.mapping(spec, where, TRANSITION_KEYS, TRANSITION_REQUIRED):
        return None
    from_state = schema.state_name(spec["from"], (*where, "from")) if "from" in spec else None
    to_state = schema.state_name(spec["to"], (*where, "to")) if "to" in spec else None
    via = schema.text(spec["via"], (*where, "via"), "a workflow name or manual, rework, rollback") if "via" in spec else None
    gates = _gates(schema, spec, where)
    if from_state is None or to_state is None or via is None or gates is None:
        return None
    return Transition(from_state, to_state, via.strip(), gates)


def _gates(schema: _Schema, spec: dict, where: tuple) -> tuple[str, ...] | None:
    """The ``gates:`` of a workflow or transition (``()`` when absent, None after a schema problem)."""
    from flowops.workflow.gates import gate_problem

    raw = spec.get("gates")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        schema.error((*where, "gates"),
                     f"must be a list of gates such as [criteria_checked, criteria_verified], not {_kind(raw)}")
        return None
    gates: list[str] = []
    for index, value in enumerate(raw):
        name = schema.text(value, (*where, "gates", index), "a gate name")
        if name is None:
            return None
        problem = gate_problem(name.strip())
        if problem:
            schema.error((*where, "gates", index), problem)
            return None
        gates.append(name.strip())
    return tuple(dict.fromkeys(gates))


def _raise(schema: _Schema, locations: Locations):
    from flowops.workflow.validate import counted

    raise ConfigError(
        f"does not match the workflow schema ({counted(len(schema.problems), 'problem')})",
        path=locations.path,
        problems=schema.problems,
        hint="fix the fields named above; docs/workflow.md describes the format",
    )


def workflow_file(project: Any) -> Path:
    """Where the project's workflow file lives (it may not exist)."""
    return project.flowops_dir / WORKFLOW_FILE


def read_default() -> WorkflowConfig:
    """The built-in default workflow."""
    data, locations = load_yaml(DEFAULT_WORKFLOW_YAML, DEFAULT_SOURCE)
    return parse_workflow(data, locations, is_default=True)


def read_workflow(file: Path, display_path: str | None = None, *, root: Path | None = None) -> WorkflowConfig:
    """Parse one workflow file (YAML and schema errors raise ConfigError with line)."""
    data, locations = load_yaml_file(file, display_path, root=root, limit=MAX_CONFIG_BYTES)
    return parse_workflow(data, locations)


def read_project_workflow(project: Any) -> WorkflowConfig:
    """The project's ``.flowops/workflow.yml``, or the built-in default when it is absent."""
    path = workflow_file(project)
    if not path.is_file():
        return read_default()
    return read_workflow(path, project.relpath(path), root=Path(project.root))


def load_workflow(project: Any) -> WorkflowConfig:
    """The project's workflow, refused (ConfigError, exit 2) when it has semantic errors.

    Commands that enforce the workflow use this; warnings are left to
    ``flowops workflow validate``.
    """
    from flowops.workflow.validate import counted, errors_only, validate

    config = read_project_workflow(project)
    errors = errors_only(validate(config))
    if errors:
        raise ConfigError(
            f"is not a valid workflow ({counted(len(errors), 'error')})",
            path=config.source,
            problems=errors,
            hint="run `flowops workflow validate` and fix the errors it lists",
        )
    return config

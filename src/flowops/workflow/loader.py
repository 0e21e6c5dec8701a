"""Reading ``.flowops/workflow.yml`` into a WorkflowConfig, with schema errors that name field and line.

The file's shape is the JSON Schema ``SCHEMA`` (checked by ``flowops.schema``, every
problem in one run, so ``flowops workflow validate`` shows them all); gate names are
checked against the known gates here. Semantic checks (undefined states, cycles, ...)
live in ``flowops.workflow.validate``. Workflow names are typed on the command line
(`flowops workflow advance NAME ...`), so they are words.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from flowops.cachedir import VerdictCache, fingerprint
from flowops.errors import ConfigError, Problem
from flowops.schema import DIALECT, unknown_keys
from flowops.workflow.default import DEFAULT_SOURCE, DEFAULT_WORKFLOW_YAML
from flowops.workflow.model import SPECIAL_VIAS, Transition, Workflow, WorkflowConfig
from flowops.yamlfile import MAX_CONFIG_BYTES, Locations, load_yaml, load_yaml_file

if TYPE_CHECKING:
    from flowops.project import Project

WORKFLOW_FILE = "workflow.yml"
SUPPORTED_VERSIONS = (1,)

TOP_KEYS = ("version", "states", "workflows", "transitions")
WORKFLOW_KEYS = ("command", "description", "input_states", "output_state", "gates")
WORKFLOW_REQUIRED = ("command", "input_states", "output_state")
TRANSITION_KEYS = ("from", "to", "via", "gates")
TRANSITION_REQUIRED = ("from", "to", "via")

VERDICT_NAME = "workflow-verdict.json"


def _text(what: str) -> dict[str, Any]:
    """A non-empty text (the message says ``what`` it should be)."""
    return {"type": "string", "pattern": r"\S",
            "x-messages": {"type": f"must be {what}, not {{kind}}{{quote}}", "pattern": "must not be empty"}}


def _object(allowed: tuple[str, ...], required: tuple[str, ...], properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "x-messages": {"type": f"must be a mapping with the keys {', '.join(allowed)}, not {{kind}}",
                       "required": "missing required key '{key}'"},
        "properties": properties,
        "required": list(required),
        "propertyNames": unknown_keys(allowed, f"unknown key '{{value}}' (allowed: {', '.join(allowed)})"),
    }


# A state becomes the label `workflow:<State>`; Backlog.md separates labels with commas.
_STATE: dict[str, Any] = {
    **_text("a state name"),
    "allOf": [
        {"pattern": r"\A[^,\n]*\Z", "x-message": "state '{value}' must not contain a comma or a line break (it becomes a task label)"},
        {"pattern": r"\A(\S(.*\S)?)?\Z", "x-message": "state '{value}' has leading or trailing spaces; remove them"},
    ],
}
_GATES: dict[str, Any] = {
    "type": ["array", "null"], "x-message": "must be a list of gates such as [criteria_checked, criteria_verified], not {kind}",
    "items": _text("a gate name"),
}

SCHEMA: dict[str, Any] = {
    "$schema": DIALECT,
    **_object(TOP_KEYS, ("version", "states", "workflows"), {
        "version": {"enum": list(SUPPORTED_VERSIONS), "not": {"type": "boolean"},
                    "x-message": f"unsupported version {{value!r}} (this flowops reads version "
                                 f"{', '.join(str(v) for v in SUPPORTED_VERSIONS)})"},
        "states": {"type": "array", "minItems": 1, "items": _STATE,
                   "x-messages": {"type": "must be a list of state names, not {kind}", "minItems": "must list at least one state"}},
        "workflows": {
            "type": ["object", "null"],
            "x-messages": {"type": "must be a mapping of workflow name to its definition, not {kind}"},
            "propertyNames": {"allOf": [
                {"type": "string", "pattern": r"\A[A-Za-z0-9][A-Za-z0-9_.-]*\Z",
                 "x-message": "workflow name {value!r} must be a word (letters, digits, '-', '_', '.')"},
                {"not": {"enum": list(SPECIAL_VIAS)},
                 "x-message": "'{value}' is reserved for transitions (manual, rework, rollback); choose another workflow name"},
            ]},
            "additionalProperties": _object(WORKFLOW_KEYS, WORKFLOW_REQUIRED, {
                "command": _text("a command such as /flow:operate"),
                "description": {**_text("a text"), "type": ["string", "null"]},
                "input_states": {"type": "array", "minItems": 1, "items": _STATE,
                                 "x-message": "must be a non-empty list of state names, not {kind} (write e.g. [Validated])"},
                "output_state": _STATE,
                "gates": _GATES,
            }),
        },
        "transitions": {
            "type": ["array", "null"], "x-messages": {"type": "must be a list of {{from, to, via}} entries, not {kind}"},
            "items": _object(TRANSITION_KEYS, TRANSITION_REQUIRED, {
                "from": _STATE,
                "to": _STATE,
                "via": _text("a workflow name or manual, rework, rollback"),
                "gates": _GATES,
            }),
        },
    }),
}


def parse_workflow(data: Any, locations: Locations, *, is_default: bool = False,
                   verdicts: VerdictCache | None = None) -> WorkflowConfig:
    """Check ``data`` (loaded YAML) against ``SCHEMA`` and build a WorkflowConfig.

    Raises ConfigError listing every schema problem (file, field, line). The result may
    still be semantically wrong; ``flowops.workflow.validate.validate`` says how.
    ``verdicts`` remembers data that passed, so the next read skips the JSON Schema.
    """
    if data is None:
        data = {}
    problems = _schema_problems(data, locations, verdicts) + _gate_problems(data, locations)
    if problems:
        _raise(problems, locations)
    states = list(data["states"])
    workflows = {
        name: Workflow(name, spec["command"], tuple(spec["input_states"]), spec["output_state"], spec.get("description"),
                       _gates(spec))
        for name, spec in (data.get("workflows") or {}).items()
    }
    transitions = [Transition(spec["from"], spec["to"], spec["via"].strip(), _gates(spec))
                   for spec in data.get("transitions") or []]
    return WorkflowConfig(data["version"], states, workflows, transitions, locations, is_default)


def _schema_problems(data: Any, locations: Locations, verdicts: VerdictCache | None) -> list[Problem]:
    from flowops.schema import validate

    digest = _digest(data) if verdicts is not None else None
    schema_fingerprint = fingerprint(SCHEMA)
    if verdicts is not None and digest is not None and verdicts.passed(digest, schema_fingerprint):
        return []
    problems = validate(data, SCHEMA, path=locations.path, locations=locations)
    if not problems and verdicts is not None and digest is not None:
        verdicts.remember(digest, schema_fingerprint)
    return problems


def _digest(data: Any) -> str | None:
    import hashlib
    import json

    try:
        text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):  # YAML dates, keys that are not text: validate every time
        return None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _gate_problems(data: Any, locations: Locations) -> list[Problem]:
    """Gate names the schema cannot judge (built-in gates and plugin:NAME), wherever a list of gates is."""
    from flowops.workflow.gates import gate_problem

    found: list[Problem] = []
    specs: list[tuple[tuple, Any]] = []
    if isinstance(data, dict):
        workflows, transitions = data.get("workflows"), data.get("transitions")
        if isinstance(workflows, dict):
            specs += [(("workflows", name), spec) for name, spec in workflows.items()]
        if isinstance(transitions, list):
            specs += [(("transitions", index), spec) for index, spec in enumerate(transitions)]
    for where, spec in specs:
        gates = spec.get("gates") if isinstance(spec, dict) else None
        for index, name in enumerate(gates if isinstance(gates, list) else []):
            problem = gate_problem(name.strip()) if isinstance(name, str) and name.strip() else None
            if problem:
                at = (*where, "gates", index)
                found.append(Problem(problem, locations.path, locations.line(*at), Locations.dotted(at)))
    return found


def _gates(spec: dict) -> tuple[str, ...]:
    """The ``gates:`` of a valid workflow or transition (``()`` when absent), each once."""
    return tuple(dict.fromkeys(name.strip() for name in spec.get("gates") or ()))


def _raise(problems: list[Problem], locations: Locations) -> NoReturn:
    from flowops.workflow.validate import counted

    raise ConfigError(
        f"does not match the workflow schema ({counted(len(problems), 'problem')})",
        path=locations.path,
        problems=sorted(problems, key=lambda p: p.line or 0),
        hint="fix the fields named above; docs/workflow.md describes the format",
    )


def workflow_file(project: Project) -> Path:
    """Where the project's workflow file lives (it may not exist)."""
    return project.flowops_dir / WORKFLOW_FILE


def read_default(*, verdicts: VerdictCache | None = None) -> WorkflowConfig:
    """The built-in default workflow."""
    data, locations = load_yaml(DEFAULT_WORKFLOW_YAML, DEFAULT_SOURCE)
    return parse_workflow(data, locations, is_default=True, verdicts=verdicts)


def read_workflow(file: Path, display_path: str | None = None, *, root: Path | None = None,
                  verdicts: VerdictCache | None = None) -> WorkflowConfig:
    """Parse one workflow file (YAML and schema errors raise ConfigError with line)."""
    data, locations = load_yaml_file(file, display_path, root=root, limit=MAX_CONFIG_BYTES)
    return parse_workflow(data, locations, verdicts=verdicts)


def read_project_workflow(project: Project) -> WorkflowConfig:
    """The project's ``.flowops/workflow.yml``, or the built-in default when it is absent."""
    path = workflow_file(project)
    verdicts = VerdictCache(getattr(project, "cache_dir", None), VERDICT_NAME)
    if not path.is_file():
        return read_default(verdicts=verdicts)
    return read_workflow(path, project.relpath(path), root=Path(project.root), verdicts=verdicts)


def load_workflow(project: Project) -> WorkflowConfig:
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

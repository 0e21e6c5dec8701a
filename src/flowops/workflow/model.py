"""The workflow a project runs: ordered states, the workflows that move tasks, declared transitions."""

from __future__ import annotations

from dataclasses import dataclass, field

from flowops.yamlfile import Locations

# `via` values that are not workflow names. Rework and rollback edges go backwards on
# purpose, so they are left out of the cycle check; manual edges are forward moves.
MANUAL = "manual"
REWORK = "rework"
ROLLBACK = "rollback"
SPECIAL_VIAS = (MANUAL, REWORK, ROLLBACK)


def state_key(name: str) -> str:
    """The form under which states are compared: case-insensitive, outer whitespace ignored."""
    return name.strip().casefold()


@dataclass(frozen=True)
class Workflow:
    """A named step such as ``operate``: allowed in ``input_states``, leads to ``output_state``."""

    name: str
    command: str
    input_states: tuple[str, ...]
    output_state: str
    description: str | None = None
    gates: tuple[str, ...] = ()  # evidence the task must show to leave through this workflow

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "command": self.command,
            "input_states": list(self.input_states),
            "output_state": self.output_state,
            "description": self.description,
            "gates": list(self.gates),
        }


@dataclass(frozen=True)
class Transition:
    """A declared edge ``from_state -> to_state``; ``via`` is a workflow name or manual/rework/rollback."""

    from_state: str
    to_state: str
    via: str
    gates: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"from": self.from_state, "to": self.to_state, "via": self.via, "gates": list(self.gates)}


@dataclass
class WorkflowConfig:
    """A parsed ``workflow.yml`` (or the built-in default), with the lines its values came from."""

    version: int
    states: list[str]
    workflows: dict[str, Workflow]
    transitions: list[Transition]
    locations: Locations = field(default_factory=lambda: Locations("<workflow>"))
    is_default: bool = False

    @property
    def source(self) -> str:
        """The file shown in messages (``.flowops/workflow.yml``, or the built-in default)."""
        return self.locations.path

    @property
    def first_state(self) -> str:
        return self.states[0]

    def canonical_state(self, name: str) -> str | None:
        """The state as spelled in ``states`` for ``name`` (matched case-insensitively), or None."""
        wanted = state_key(name)
        for state in self.states:
            if state_key(state) == wanted:
                return state
        return None

    def workflow(self, name: str) -> Workflow | None:
        """The workflow called ``name`` (exact, then case-insensitive), or None."""
        if name in self.workflows:
            return self.workflows[name]
        wanted = name.strip().casefold()
        for key, workflow in self.workflows.items():
            if key.casefold() == wanted:
                return workflow
        return None

    def runnable_from(self, state: str) -> list[Workflow]:
        """Workflows whose input states include ``state``, sorted by name."""
        key = state_key(state)
        found = [w for w in self.workflows.values() if any(state_key(s) == key for s in w.input_states)]
        return sorted(found, key=lambda w: w.name)

    def transitions_from(self, state: str) -> list[Transition]:
        """Declared transitions leaving ``state``, in file order."""
        key = state_key(state)
        return [t for t in self.transitions if state_key(t.from_state) == key]

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "default": self.is_default,
            "version": self.version,
            "states": list(self.states),
            "workflows": [w.to_dict() for w in self.workflows.values()],
            "transitions": [t.to_dict() for t in self.transitions],
        }

"""A task's workflow state, read from and written to its labels (pure functions, no I/O).

The state is the label ``workflow:<State>``: exactly one, matched case-insensitively
with surrounding spaces ignored; a task without one is in the workflow's first state.
"""

from __future__ import annotations

from collections.abc import Iterable

from flowops.errors import ConfigError
from flowops.workflow.model import WorkflowConfig

LABEL_PREFIX = "workflow:"


def state_label_value(label: str) -> str | None:
    """The state named by ``label`` if it is a workflow label (as written, trimmed), else None."""
    text = label.strip()
    if text[: len(LABEL_PREFIX)].casefold() != LABEL_PREFIX:
        return None
    return text[len(LABEL_PREFIX) :].strip()


def state_label(state: str) -> str:
    """The label that records ``state``."""
    return f"{LABEL_PREFIX}{state}"


def state_of(labels: Iterable[str], config: WorkflowConfig, *, task: str | None = None) -> str:
    """The canonical state recorded in ``labels`` (the first state when there is no workflow label).

    Raises ConfigError when two labels name different states or a label names a state
    the workflow does not define; ``task`` (an id or file) is named in the message.
    """
    found: dict[str, str] = {}  # canonical state -> label as written
    for label in labels:
        value = state_label_value(label)
        if value is None:
            continue
        canonical = config.canonical_state(value) if value else None
        if canonical is None:
            raise ConfigError(
                f"{_whose(task)}label '{label.strip()}' names an unknown workflow state '{value}'",
                hint=f"known states ({config.source}): {', '.join(config.states)}; fix the label with `flowops task edit`",
            )
        found.setdefault(canonical, label.strip())
    if len(found) > 1:
        written = ", ".join(f"'{label}'" for label in found.values())
        raise ConfigError(
            f"{_whose(task)}labels {written} name different workflow states; a task has exactly one",
            hint="remove all but one of them with `flowops task edit`, or use `flowops workflow set`",
        )
    if found:
        return next(iter(found))
    return config.first_state


def has_state_label(labels: Iterable[str]) -> bool:
    """True when some label is a workflow label (well-formed or not)."""
    return any(state_label_value(label) is not None for label in labels)


def with_state(labels: Iterable[str], state: str) -> list[str]:
    """``labels`` with the workflow label set to ``state``; the other labels keep their order.

    The new label takes the place of the first workflow label (or goes last), and any
    further workflow labels are dropped so exactly one remains.
    """
    result: list[str] = []
    placed = False
    for label in labels:
        if state_label_value(label) is None:
            result.append(label)
        elif not placed:
            result.append(state_label(state))
            placed = True
    if not placed:
        result.append(state_label(state))
    return result


def _whose(task: str | None) -> str:
    return f"task {task}: " if task else ""

"""Every hook a flowops plugin can implement.

Plugins implement these with ``@flowops.hookimpl`` and are found through the
``flowops`` entry-point group. Built-in playbooks and handlers use the same hooks.
docs/plugins.md documents each hook with an example; tests/test_hookspecs.py fails
when a hook has no documented section or no test.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from flowops.acceptance.lint import Finding
    from flowops.backlog.model import Task
    from flowops.checks.model import Check
    from flowops.events.handlers import HandlerType
    from flowops.events.model import Event
    from flowops.ops.playbook import Playbook

PROJECT_NAME = "flowops"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add click commands or groups to the ``flowops`` command line.

    Called once, when a command that is not built in is looked up or the command list
    is shown. ``cli`` is the root ``click.Group``; call ``cli.add_command(...)``.
    Returns nothing.
    """


@hookspec
def register_playbooks(register: Callable[[Playbook], None]) -> None:
    """Contribute playbooks for ``flowops operate``.

    Called when playbooks are listed or ``operate`` runs. ``register`` takes one
    ``flowops.ops.playbook.Playbook`` (name, description, items with titles, areas,
    stable key labels and acceptance criteria). Returns nothing.
    """


@hookspec
def register_handler_types(register: Callable[[str, HandlerType], None]) -> None:
    """Contribute event handler types usable in ``.flowops/hooks.yaml`` beyond ``command`` and ``webhook``.

    Called when hooks.yaml is loaded. ``register(name, handler_type)`` takes the key
    used in hooks.yaml and a handler type (see ``flowops.events.handlers``): an object
    with ``schema`` (a JSON Schema of the hooks using it), optionally
    ``validate(config) -> list`` (what a schema cannot say), and
    ``deliver(event, config, context) -> DeliveryResult``. Returns nothing.
    """


@hookspec
def on_event(event: Event) -> None:
    """Observe every event flowops emits (Python handlers).

    Called after the event is recorded in the audit log, once per event, unless
    delivery is suppressed (``--no-hooks``). ``event`` is a ``flowops.Event``
    (CloudEvents 1.0 fields plus ``data``). The return value is ignored; an exception
    is recorded as a failed delivery for this plugin and does not stop other observers.
    """


@hookspec(firstresult=True)
def check_transition(task: Task, from_state: str, to_state: str, workflow: str) -> str | None:
    """Veto a workflow state change.

    Called before a task moves from ``from_state`` to ``to_state`` (``workflow`` is the
    workflow name, or ``manual``/``rework``/``rollback``). ``task`` is a
    ``flowops.Task``. Return a string (the reason) to refuse the change, or None to
    allow it. The first non-None answer wins.
    """


@hookspec
def lint_criterion(text: str) -> Sequence[Finding] | Finding | None:
    """Contribute acceptance-criteria lint findings for one criterion.

    Called by ``flowops ac lint`` once per distinct criterion ``text``. Return a list
    of ``flowops.acceptance.lint.Finding`` (rule, message, suggestion) or a single
    Finding, or an empty list / None when the criterion passes.
    """


@hookspec
def register_checks(register: Callable[[Check], None]) -> None:
    """Contribute checks that acceptance criteria can be bound to (``verify: NAME [ARG...]``).

    Called when criteria are verified (``flowops ac verify``, ``ac bind``, the evidence
    gates) and when checks are listed. ``register`` takes one ``flowops.checks.Check``:
    a name (``k8s.resources``), a summary and ``run(context, args) -> CheckResult``
    (status pass/fail/skipped/error and evidence naming path, line and object).
    Returns nothing.
    """

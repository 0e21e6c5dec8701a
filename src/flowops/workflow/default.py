"""The built-in workflow: what applies without ``.flowops/workflow.yml`` and what ``flowops init`` writes.

The default exists once, as the YAML text below, so the written file and the built-in
behaviour cannot drift apart.
"""

from __future__ import annotations

DEFAULT_WORKFLOW_YAML = """\
# flowops workflow: the states a task moves through and the commands that move it.
# A task's state is its label `workflow:<State>`; a task without one is in the first state.
# Check this file with `flowops workflow validate`. Reference: docs/workflow.md.
version: 1

# Ordered from first to last. A task without a workflow label is in the first one.
states:
  - To Do
  - Specified
  - Planned
  - In Implementation
  - Validated
  - Deployed
  - Done

# Each workflow may run only when the task is in one of its input states;
# `flowops workflow advance <name> <task>` then moves the task to the output state.
# `gates:` (on a workflow or a transition) is what the task must show first:
# criteria_checked, criteria_verified, or plugin:NAME (that plugin must be loaded).
workflows:
  specify:
    command: /flow:specify
    description: Write the specification and its acceptance criteria
    input_states: [To Do]
    output_state: Specified
  plan:
    command: /flow:plan
    description: Design the architecture and plan the work
    input_states: [Specified]
    output_state: Planned
  implement:
    command: /flow:implement
    description: Build the feature and its tests
    input_states: [Planned]
    output_state: In Implementation
  validate:
    command: /flow:validate
    description: Check the work against its acceptance criteria
    input_states: [In Implementation]
    output_state: Validated
    # Evidence before Validated: every acceptance criterion ticked, and every criterion
    # bound to a check (`verify: ...`) passing it (`flowops ac verify`).
    gates: [criteria_checked, criteria_verified]
  operate:
    command: /flow:operate
    description: Deploy and set up operations (CI/CD, observability, SLOs, runbooks)
    input_states: [Validated]
    output_state: Deployed

# Every allowed move. `via` is a workflow name, or:
#   manual   - a forward move made by hand (`flowops workflow set <task> <state>`)
#   rework   - back to an earlier state to redo work (`--via rework`)
#   rollback - undo a deployment (`--via rollback`)
# Forward moves (workflows and manual) must not form a cycle; rework and rollback may go back.
transitions:
  - {from: To Do, to: Specified, via: specify}
  - {from: Specified, to: Planned, via: plan}
  - {from: Planned, to: In Implementation, via: implement}
  - {from: In Implementation, to: Validated, via: validate}
  - {from: Validated, to: Deployed, via: operate}
  - {from: Deployed, to: Done, via: manual}
  - {from: In Implementation, to: Planned, via: rework}
  - {from: Validated, to: In Implementation, via: rework}
  - {from: Deployed, to: Validated, via: rollback}
"""

DEFAULT_SOURCE = "<built-in default workflow>"


def default_workflow_yaml() -> str:
    """The commented default ``.flowops/workflow.yml`` (``flowops init`` writes this text)."""
    return DEFAULT_WORKFLOW_YAML

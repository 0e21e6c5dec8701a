"""flowops-example: a third-party flowops plugin with one hook of each kind users write most.

- ``register_commands``: ``flowops example [NAME]``
- ``register_playbooks``: the ``release-readiness`` playbook
- ``on_event``: appends each event to the file named by ``FLOWOPS_EXAMPLE_EVENTS``
"""

from __future__ import annotations

import json
import os

import click

from flowops import hookimpl

EVENTS_FILE_VARIABLE = "FLOWOPS_EXAMPLE_EVENTS"


@hookimpl
def register_commands(cli):
    @cli.command(name="example")
    @click.argument("name", default="world")
    def example(name):
        """Greet NAME (a command added by the flowops-example plugin)."""
        click.echo(f"hello {name}, from flowops-example")


@hookimpl
def register_playbooks(register):
    # Imported here: flowops imports every plugin when it builds its plugin manager, and
    # most commands never ask for playbooks.
    from flowops.ops.playbook import Playbook, PlaybookItem

    register(
        Playbook(
            name="release-readiness",
            description="What the release manager signs off before a feature ships",
            items=[
                PlaybookItem(
                    key="release:rollback-drill",
                    title="Rollback drill for {feature}",
                    area="release",
                    description="Roll the feature back in staging once, on purpose, and time it.",
                    criteria=[
                        "`kubectl rollout undo` in staging restores the previous version in under 5 minutes",
                        "docs/release/rollback.md records the date and duration of the last drill",
                    ],
                )
            ],
        )
    )


@hookimpl
def on_event(event):
    path = os.environ.get(EVENTS_FILE_VARIABLE)
    if not path:
        return
    record = {"id": event.id, "type": event.type, "subject": event.subject, "data": event.data}
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")

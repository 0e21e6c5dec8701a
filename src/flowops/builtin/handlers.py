"""Built-in plugin: the ``command`` and ``webhook`` handler types of hooks.yaml.

Registered through ``register_handler_types`` exactly as a third-party plugin would
register its own types.
"""

from __future__ import annotations

from flowops.events.command import CommandHandler
from flowops.events.webhook import WebhookHandler
from flowops.hookspecs import hookimpl


@hookimpl
def register_handler_types(register):
    register("command", CommandHandler())
    register("webhook", WebhookHandler())

"""The built-in checks that criteria can be bound to (``verify: k8s.resources``), as a plugin.

Written exactly like a third-party plugin: one ``register_checks`` hook. The check
modules are imported inside the hook so that commands that never verify anything do
not pay for them. docs/verification.md describes every check and its evidence.
"""

from __future__ import annotations

from flowops.hookspecs import hookimpl


@hookimpl
def register_checks(register):
    from flowops.checks import cmd, files, gha, k8s, prom, runbooks, slo

    for check in (cmd.CHECK, files.CHECK, *k8s.CHECKS, *prom.CHECKS, runbooks.CHECK, *gha.CHECKS, *slo.CHECKS):
        register(check)

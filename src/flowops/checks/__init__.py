"""Checks: questions about the repository that acceptance criteria can be bound to.

A criterion ending in ```verify: k8s.resources``` is bound to the check ``k8s.resources``;
``flowops ac verify`` runs it and the gates trust its result over the criterion's tick.
Checks are plugins (the ``register_checks`` hook); the built-in ones are registered by
``flowops.builtin.checks`` exactly like a third-party plugin's.

Public API for check authors: ``Check``, ``CheckContext``, ``CheckResult``, ``Evidence``
and the helpers ``passed``, ``failed``, ``skipped``, ``errored``, ``nothing_found``,
``CheckUsageError``. See docs/verification.md.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flowops.checks.model import (
        ERROR,
        FAIL,
        MANUAL,
        PASS,
        SKIPPED,
        Check,
        CheckContext,
        CheckResult,
        CheckUsageError,
        Evidence,
        errored,
        failed,
        nothing_found,
        passed,
        skipped,
    )

__all__ = [
    "ERROR", "FAIL", "MANUAL", "PASS", "SKIPPED", "Check", "CheckContext", "CheckResult", "CheckUsageError", "Evidence",
    "errored", "failed", "nothing_found", "passed", "skipped",
]


def __getattr__(name: str) -> object:
    # The model is imported on first use: a playbook's bound criteria import
    # flowops.checks.binding on every command that loads the plugins, git hooks included,
    # and the model (with shutil) is not needed there.
    if name in __all__:
        from flowops.checks import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Every check registered through the ``register_checks`` hook, by name.

The built-in checks (``flowops.builtin.checks``) are registered the same way as a
third-party plugin's, so a plugin can see exactly what the built-ins can.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowops.checks.binding import CHECK_NAME
from flowops.checks.model import Check
from flowops.errors import ConfigError, Problem

if TYPE_CHECKING:
    from flowops.plugins import Plugins


def check_problems(check: Any) -> list[str]:
    """What is wrong with a registered check (empty when it is well formed)."""
    if not isinstance(check, Check):
        return [f"registered a {type(check).__name__}, expected flowops.checks.Check"]
    problems = []
    if not isinstance(check.name, str) or not CHECK_NAME.fullmatch(check.name):
        problems.append(f"name {check.name!r} must be lower-case words joined by dots (e.g. k8s.resources)")
    if not isinstance(check.summary, str) or not check.summary.strip():
        problems.append(f"check {check.name!r}: summary must be a non-empty string")
    if not callable(check.run):
        problems.append(f"check {check.name!r}: run must be callable as run(context, args)")
    if check.validate is not None and not callable(check.validate):
        problems.append(f"check {check.name!r}: validate must be callable as validate(args) or None")
    if check.scope not in ("repository", "task"):
        problems.append(f"check {check.name!r}: scope must be 'repository' or 'task', not {check.scope!r}")
    return problems


def collect_checks(plugins: Plugins) -> dict[str, tuple[str, Check]]:
    """Check name -> (plugin name, Check) for every registered check.

    A malformed check, or one name registered by two plugins, is a ConfigError naming
    the plugins: a check silently replaced by another would judge the wrong thing.
    """
    checks: dict[str, tuple[str, Check]] = {}
    for plugin_name, registered in plugins.collect("register_checks", with_plugin=True):
        problems = check_problems(registered)
        if problems:
            raise ConfigError(
                f"plugin '{plugin_name}' registered a malformed check",
                problems=[Problem(p) for p in problems],
                hint="fix the plugin's register_checks, or disable it with FLOWOPS_DISABLE_PLUGINS",
            )
        if registered.name in checks:
            first = checks[registered.name][0]
            raise ConfigError(
                f"check '{registered.name}' is registered by both plugin '{first}' and plugin '{plugin_name}'",
                hint="rename one of them, or disable one plugin with FLOWOPS_DISABLE_PLUGINS",
            )
        checks[registered.name] = (plugin_name, registered)
    return checks

"""Rendering helpers shared by commands: output modes, JSON, warnings, rich console.

Modes: ``rich`` (a terminal, no flag), ``plain`` (--plain, or stdout not a terminal)
and ``json`` (--json). Data goes to stdout, diagnostics to stderr.

Whatever flowops prints may come from a stranger's repository (a title, a file name),
and a terminal obeys control characters: an escape sequence can retitle the window, clear
the screen, rewrite what was printed before, or reorder text (bidi overrides). So every
line printed goes through ``terminal_safe``, which shows them as escapes (``\x1b``), and
JSON output escapes them the JSON way (``\u001b``); the data itself is not changed.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from flowops.plugins import Plugins

# C0 controls but tab and newline, DEL, C1 controls, and the bidi embeddings/overrides/isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """``text`` with every character a terminal would act on shown as an escape."""
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def _json_escape(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"


def say_err(text: str) -> None:
    """One diagnostic line on stderr, terminal-safe."""
    click.echo(terminal_safe(text), err=True)


def output_options(func):
    """Add mutually exclusive ``--plain`` and ``--json`` flags, passed as ``mode``."""
    func = click.option("--json", "as_json", is_flag=True, help="Print one JSON document (stable keys, no colour).")(func)
    func = click.option("--plain", is_flag=True, help="Plain text for agents and pipes (complete, never truncated).")(func)
    return func


def resolve_mode(plain: bool, as_json: bool) -> str:
    """Return "json", "plain" (asked for), "text" (no flag, not a terminal) or "rich" (a terminal).

    Commands that print data treat "text" like "plain"; commands that report an action
    (create, edit) print their short human message for "text" and "rich", as Backlog.md does.
    """
    if plain and as_json:
        raise click.UsageError("--plain and --json cannot be used together")
    if as_json:
        return "json"
    if plain:
        return "plain"
    return "rich" if sys.stdout.isatty() else "text"


def print_json(data: Any) -> None:
    """Write ``data`` as one indented JSON document to stdout (control characters as \\u escapes)."""
    import json

    text = json.dumps(data, indent=2, ensure_ascii=False)
    # json escapes C0 itself; C1, DEL and bidi controls are valid raw in JSON strings but not
    # on a terminal. They occur only inside strings, where \\uXXXX means the same.
    write(_UNSAFE.sub(_json_escape, text) + "\n")


def write(text: str) -> None:
    """Write ``text`` (terminal-safe) to stdout in one call and flush, so piped output is complete."""
    out = sys.stdout
    out.write(terminal_safe(text))
    out.flush()


def warn(message: Any) -> None:
    """One warning line on stderr."""
    say_err(f"warning: {message}")
    if hasattr(message, "reported"):
        # A plugin failure (flowops.plugins.PluginFailure) shown here is not shown again
        # by the report of unreported failures when the command ends.
        message.reported = True


def warn_all(problems: Iterable[Any]) -> None:
    for problem in problems:
        warn(problem)


def warn_plugin_failures(plugins: Plugins | None = None) -> None:
    """One warning line per plugin failure not reported yet: plugins that failed to load, hooks that raised.

    Without ``plugins``, covers every manager this process built (what ``main`` does
    when the command ends, so that no failure goes unmentioned).
    """
    if plugins is None:
        from flowops.plugins import built_plugins

        managers = built_plugins()
    else:
        managers = [plugins]
    for manager in managers:
        warn_all(manager.unreported())


def validity_summary(*, errors: int, warnings: int, handlers: int | None = None) -> str:
    """The one wording every ``validate`` command ends with: ``valid (2 handlers, 1 warning)``, ``invalid (3 errors)``."""

    def counted(number: int, noun: str) -> str:
        return f"{number} {noun}{'' if number == 1 else 's'}"

    facts = []
    if handlers is not None and not errors:
        facts.append(counted(handlers, "handler"))
    facts += [counted(n, noun) for n, noun in ((errors, "error"), (warnings, "warning")) if n]
    return ("invalid" if errors else "valid") + (f" ({', '.join(facts)})" if facts else "")


_console = None


def console():
    """A rich Console for stdout (imported lazily: rich is slow to import)."""
    global _console
    if _console is None:
        _console = make_console()
    return _console


def make_console(**options: Any):
    """A rich Console whose strings (cells, panels, lines) are made terminal-safe before rendering."""
    from rich.console import Console

    class SafeConsole(Console):
        def render_str(self, text: str, **kwargs: Any):
            return super().render_str(terminal_safe(text), **kwargs)

    return SafeConsole(**{"highlight": False, "soft_wrap": False, **options})

"""One tool call: the flowops command it stands for, run in-process with ``--json``.

Running the click command itself, rather than a parallel set of domain calls, is what
makes a tool's result the very document ``flowops ... --json`` prints and every write go
through the same store, locks, gates and events as at the terminal: there is one code
path. The price is that a command uses process-wide state (``sys.stdout``, click's
context stack, the plugin manager cache), so calls run one at a time, under ``_CALLS``.

Exit codes become errors with the contract's kinds: 1 failure, 2 usage, 3 criteria,
4 blocked. Nothing a call does, however broken, escapes this module as an exception.
"""

from __future__ import annotations

import gc
import io
import json
import sys
import threading
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import click

from flowops.errors import EXIT_FAILURE, EXIT_USAGE, FlowopsError, Problem, Reported
from flowops.mcp_server.tools import JSON, Tool, command_line, in_tool_terms

KINDS = {1: "failure", 2: "usage", 3: "criteria", 4: "blocked"}
_DEFAULT_MESSAGES = {
    1: "the command failed",
    2: "usage or configuration error",
    3: "acceptance criteria not met",
    4: "blocked by the workflow state guard",
}
# The origin events carry in their source while a tool call runs (flowops:/shop/mcp).
ORIGIN = "mcp"

_CALLS = threading.Lock()


@dataclass
class ToolError:
    """A failed call: the exit code the CLI would have given, its message and hint."""

    exit_code: int
    message: str
    hint: str | None = None
    problems: list[dict] = field(default_factory=list)
    document: JSON | None = None  # what the command printed with --json before it failed, if anything

    @property
    def kind(self) -> str:
        return KINDS.get(self.exit_code, "failure")

    def to_dict(self) -> JSON:
        out: JSON = {"exitCode": self.exit_code, "kind": self.kind, "message": self.message, "hint": self.hint}
        if self.problems:
            out["problems"] = self.problems
        if self.document is not None:
            out["document"] = self.document
        return out

    def text(self) -> str:
        """As the CLI says it on stderr: ``error: ...``, the problems, ``hint: ...``."""
        lines = [f"error: {self.message}"]
        lines += [f"  - {Problem(str(p.get('message')), p.get('path'), p.get('line'), p.get('field'))}" for p in self.problems]
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)


@dataclass
class ToolOutcome:
    """What a tool call returns: the CLI's JSON document, or an error; and the warnings it printed."""

    document: JSON | None
    error: ToolError | None = None
    warnings: list[str] = field(default_factory=list)
    output: str = ""  # stdout as printed (the document's JSON text)

    @property
    def ok(self) -> bool:
        return self.error is None

    def structured(self) -> JSON:
        """The structured content: the document itself, or ``{"error": {...}}``."""
        if self.error is not None:
            return {"error": self.error.to_dict()}
        return self.document if self.document is not None else {}

    def texts(self) -> list[str]:
        """The text content blocks: the CLI's output (or error), then its warnings."""
        if self.error is not None:
            body = self.error.text()
            if self.error.document is not None:
                body += "\n\n" + json.dumps(self.error.document, indent=2, ensure_ascii=False)
            blocks = [body]
        else:
            blocks = [self.output.rstrip("\n") or json.dumps(self.structured(), indent=2, ensure_ascii=False)]
        if self.warnings:
            blocks.append("\n".join(self.warnings))
        return blocks


def call_tool(tool: Tool, arguments: Mapping[str, Any] | None) -> ToolOutcome:
    """Run ``tool`` with ``arguments`` (as an agent sent them); never raises."""
    try:
        argv = command_line(tool, arguments)
    except FlowopsError as exc:
        return ToolOutcome(None, _from_flowops_error(exc))
    try:
        with _CALLS:
            ran = run_in_process(argv)
        try:
            return _outcome(tool, ran)
        finally:
            release_frames(ran.raised)
    except Exception as exc:  # a bug of ours must not take the server down
        try:
            return ToolOutcome(None, ToolError(EXIT_FAILURE, _unexpected(exc, argv)))
        finally:
            release_frames(exc)


def release_frames(exc: BaseException | None) -> None:
    """Free what the frames of ``exc`` (and the exceptions it chains) hold, once it is reported.

    A traceback keeps every frame it passed through alive with its locals (a command's
    whole backlog), and those frames, or the callers they link to, refer back to the
    exception: a cycle reference counting never frees, and a server runs for hours
    (~50 MB a failed ``task_view`` on 10,000 tasks before this).
    """
    pending, seen = [exc], set()
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)  # skips a frame still running
        current.__traceback__ = None
        pending += [current.__cause__, current.__context__]
        if isinstance(current, BaseExceptionGroup):
            pending += current.exceptions


@dataclass
class Ran:
    exit_code: int
    stdout: str
    stderr: str
    raised: BaseException | None = None


class _Capture(io.TextIOWrapper):
    """A text stream with a binary buffer (click writes bytes to ``.buffer``), never a terminal."""

    def __init__(self, data: bytes | None = None) -> None:
        super().__init__(io.BytesIO(data or b""), encoding="utf-8", errors="replace", write_through=True)

    def value(self) -> str:
        self.flush()
        raw = self.buffer
        assert isinstance(raw, io.BytesIO)
        return raw.getvalue().decode("utf-8", "replace")


def run_in_process(argv: list[str]) -> Ran:
    """Run ``flowops argv`` here and now as ``flowops.cli.main`` would, capturing its output.

    Standard streams are swapped for the call (stdin reads nothing: a command that asks
    a question gets end-of-file, never the agent's protocol stream), and events emitted
    meanwhile carry the origin ``mcp``. The caller serialises calls.
    """
    from flowops.cli import cli
    from flowops.events.model import event_origin
    from flowops.plugins import reset_plugins

    # As a fresh process would: plugins and their settings are read again for each call,
    # so an edit to .flowops/config.toml counts from the next call on.
    reset_plugins()
    stdout, stderr = _Capture(), _Capture()
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = _Capture(), stdout, stderr
    # As flowops.cli.main does: no cyclic collection while a command holds thousands of tasks.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    raised: BaseException | None = None
    try:
        with event_origin(ORIGIN):
            try:
                result = cli.main(args=argv, prog_name="flowops", standalone_mode=False)
                code = result if isinstance(result, int) and not isinstance(result, bool) else 0
            except FlowopsError as exc:
                code, raised = exc.exit_code, exc
            except click.exceptions.Exit as exc:
                code = exc.exit_code
            except click.Abort as exc:
                code, raised = EXIT_FAILURE, exc
            except click.ClickException as exc:
                code, raised = (EXIT_USAGE if isinstance(exc, click.UsageError) else exc.exit_code), exc
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else EXIT_FAILURE
            except Exception as exc:
                code, raised = EXIT_FAILURE, exc
            finally:
                if "flowops.plugins" in sys.modules:
                    from flowops.cli.output import warn_plugin_failures

                    warn_plugin_failures()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
        if gc_was_enabled:
            gc.enable()
    return Ran(code, stdout.value(), stderr.value(), raised)


def _outcome(tool: Tool, ran: Ran) -> ToolOutcome:
    document = _document(ran.stdout)
    errors, hints, warnings = [], [], []
    for line in ran.stderr.splitlines():
        if line.startswith("error: "):
            errors.append(line.removeprefix("error: "))
        elif line.startswith("hint: "):
            hints.append(line.removeprefix("hint: "))
        elif line.strip():
            warnings.append(line)
    if ran.exit_code == 0:
        return ToolOutcome(document, None, warnings, ran.stdout)
    error = _error(tool, ran, document, errors, hints)
    if document is not None and "error" not in document:
        # A report printed before the exit (ac check's criteria, workflow check's decision)
        # goes with the error; a JSON error document (operate's) only restates it.
        error.document = document
    return ToolOutcome(None, error, warnings, ran.stdout)


def _error(tool: Tool, ran: Ran, document: JSON | None, errors: list[str], hints: list[str]) -> ToolError:
    exc = ran.raised
    if isinstance(exc, Reported):
        exc = None  # the command said everything already: its stderr and its document tell the error
    if isinstance(exc, FlowopsError):
        return _from_flowops_error(exc)
    if isinstance(exc, click.ClickException):
        return ToolError(ran.exit_code, in_tool_terms(tool, exc.format_message()))
    if isinstance(exc, click.Abort):
        return ToolError(ran.exit_code, "aborted")
    if exc is not None:
        return ToolError(ran.exit_code, _unexpected(exc, None))
    if errors:
        # The command finished and still owes an exit code: a handler that had to succeed
        # failed after the write (the change stays made), or hooks emit --strict.
        return ToolError(ran.exit_code, "; ".join(errors), "; ".join(hints) or None)
    if tool.explain is not None and document is not None:
        return ToolError(ran.exit_code, tool.explain(document))
    return ToolError(ran.exit_code, _DEFAULT_MESSAGES.get(ran.exit_code, f"exit code {ran.exit_code}"))


def _document(stdout: str) -> JSON | None:
    if not stdout.strip():
        return None
    try:
        value = json.loads(stdout)
    except ValueError:
        return {"output": stdout}
    # Structured content must be an object (MCP 2025-11-25); every flowops document is one.
    return value if isinstance(value, dict) else {"result": value}


def _from_flowops_error(exc: FlowopsError) -> ToolError:
    where = Problem("", exc.path, exc.line, exc.field).location()
    message = f"{where}: {exc.message}" if where else exc.message
    return ToolError(exc.exit_code, message, exc.hint, [p.to_dict() for p in exc.problems])


def _unexpected(exc: BaseException, argv: list[str] | None) -> str:
    """As the CLI reports a crash: one line, and the traceback in the crash log."""
    from flowops.crashlog import one_line, write_crash_log

    try:
        log = write_crash_log(exc, argv)
    except Exception:
        log = None
    where = f" (the full traceback is in {log})" if log else ""
    return f"unexpected {one_line(exc)}{where}"

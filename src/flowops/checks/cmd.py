"""The ``cmd`` check: run a program the user bound to a criterion; exit 0 passes.

The program runs without a shell (its words are exactly those of the binding), in the
repository root, with stdin closed. It gets a wall-clock timeout (300 s unless
``--timeout`` says otherwise); when that passes, its whole process group is killed, so
a test runner's children die with it. Its last lines of output are the evidence,
with credentials in URLs masked.

Only checks written into criteria by the team are ever run: flowops never runs a
command it found elsewhere in the repository, and ``flowops ac verify --dry-run`` shows
every command before anything runs.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import tempfile
import time

from flowops.checks.arguments import parse_arguments, positive_number
from flowops.checks.model import (
    DEFAULT_TIMEOUT,
    Check,
    CheckContext,
    CheckResult,
    CheckUsageError,
    Evidence,
    errored,
    failed,
    passed,
    skipped,
)

TAIL_LINES = 20
_TAIL_BYTES = 64 * 1024
USAGE = "cmd [--timeout SECONDS] PROGRAM [ARG...]"


def parse(args: list[str]) -> tuple[float, list[str]]:
    """(timeout in seconds, the program's argv); CheckUsageError when no program is named."""
    parsed = parse_arguments("cmd", args, {"timeout": positive_number}, stop_at_first_positional=True)
    if not parsed.positional:
        raise CheckUsageError(f"cmd: name the program to run: {USAGE}")
    return float(parsed.options.get("timeout", DEFAULT_TIMEOUT)), parsed.positional  # type: ignore[arg-type]


def validate(args: list[str]) -> None:
    parse(args)


def check_cmd(ctx: CheckContext, args: list[str]) -> CheckResult:
    timeout, argv = parse(args)
    shown = shlex.join(argv)
    with tempfile.TemporaryFile() as output:
        try:
            process = subprocess.Popen(argv, cwd=ctx.root, stdin=subprocess.DEVNULL, stdout=output,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        except FileNotFoundError:
            where = "in the repository" if "/" in argv[0] else "on PATH"
            return skipped(f"`{argv[0]}` is not installed: not found {where}")
        except PermissionError:
            return errored(f"`{argv[0]}` cannot be run: permission denied (is it executable?)")
        except OSError as exc:
            return errored(f"`{argv[0]}` cannot be run: {exc.strerror or exc}")
        started = time.monotonic()
        try:
            code = process.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
            code = None
        # Kill the whole group, also after a normal exit: a check must not leave
        # background processes (a test server it started) running.
        _kill_group(process.pid)
        if timed_out:
            process.wait()
        lines = _tail(output)
    evidence = [Evidence(None, None, line) for line in lines]
    if timed_out:
        return failed(f"`{shown}` did not finish within {timeout:g} s and was killed", evidence)
    elapsed = time.monotonic() - started
    if code == 0:
        return passed(f"`{shown}` exited 0 after {elapsed:.1f} s", evidence)
    if code is not None and code < 0:
        return failed(f"`{shown}` was killed by signal {-code}", evidence)
    return failed(f"`{shown}` exited {code}", evidence)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is already gone
        os.killpg(pid, signal.SIGKILL)


def _tail(output) -> list[str]:
    from flowops.events.secrets import redact

    output.seek(0, os.SEEK_END)
    size = output.tell()
    output.seek(max(0, size - _TAIL_BYTES))
    text = output.read().decode("utf-8", "replace")
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    if size > _TAIL_BYTES and lines:
        lines = lines[1:]  # the first line may have been cut in half
    return [redact(line) or "" for line in lines[-TAIL_LINES:]]


CHECK = Check("cmd", "runs a program in the repository root without a shell; exit 0 passes (default timeout 300 s)",
              check_cmd, USAGE, validate, runs_programs=True,
              reads="the program's exit code and its last 20 lines of output")

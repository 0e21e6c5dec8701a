"""The ``command`` handler type: run a program with the event on stdin.

The payload never becomes part of a command line: the program gets the event JSON on
stdin and in the file named by ``FLOWOPS_EVENT_FILE``, and the event's facts in
``FLOWOPS_*`` variables. It runs in its own process group so that a timeout can end
the whole tree (SIGTERM, a short grace, then SIGKILL): no orphaned grandchildren. The
same happens when the program exits and leaves children running in its group: a finished
handler leaves nothing behind (work meant to outlive it must start its own session).
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowops.events.handlers import DeliveryContext, DeliveryResult, HandlerType
from flowops.events.secrets import UnsetVariable

if TYPE_CHECKING:
    from flowops.events.model import Event

OUTPUT_CAP = 64 * 1024  # bytes kept of stdout and of stderr, each
KILL_GRACE = 2.0  # seconds between SIGTERM and SIGKILL on timeout
# Once the program has exited, how long to keep reading pipes a background child still holds.
_DRAIN_AFTER_EXIT = 0.2
_ARGV = "command must be a non-empty list of strings (the program and its arguments)"


class CommandHandler(HandlerType):
    """Runs ``command`` (argv, or a string with ``shell: true``) in the repository."""

    extra_keys = frozenset({"shell", "env", "working_directory"})

    # The shape of command, shell, env and working_directory, checked by flowops.schema
    # (hooksfile.hooks_schema); ``validate`` below looks at the files they name.
    schema: Mapping[str, Any] = {
        "properties": {
            "shell": {"type": "boolean", "x-message": "shell must be true or false"},
            "env": {"type": "object", "x-message": "env must be a mapping of variable names to values",
                    "propertyNames": {"type": "string", "pattern": r"\A[A-Za-z_][A-Za-z0-9_]*\Z",
                                      "x-message": "{value!r} is not a valid environment variable name"},
                    "additionalProperties": {"type": ["string", "number", "boolean"],
                                             "x-message": "env values must be strings, numbers or booleans"}},
            "working_directory": {"type": "string", "minLength": 1,
                                  "x-message": "working_directory must be a folder path inside the repository"},
        },
        "if": {"properties": {"shell": {"const": True}}, "required": ["shell"]},
        "then": {"properties": {"command": {"type": "string", "pattern": r"\S",
                                            "x-message": "with shell: true, command must be one string"}}},
        "else": {"properties": {"command": {"allOf": [
            {"not": {"type": "string"},
             "x-message": 'command must be an argv list such as ["scripts/notify.sh", "--fast"]; '
                          "set shell: true to run a string through /bin/sh"},
            {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1, "x-message": _ARGV},
             "x-message": _ARGV},
        ]}}},
    }

    def validate(self, config: Mapping[str, Any]) -> list:
        """Problems with the files the hook names: its working directory and its program (the shape is the schema's)."""
        problems: list = []
        command = config.get("command")
        shell = config.get("shell", False) is True
        root = Path(getattr(config, "root", "."))
        workdir = root
        raw_workdir = config.get("working_directory")
        if isinstance(raw_workdir, str) and raw_workdir:
            workdir = (root / raw_workdir).resolve()
            if not workdir.is_relative_to(root.resolve()):
                problems.append((("working_directory",), f"working_directory {raw_workdir!r} is outside the repository"))
            elif not workdir.is_dir():
                problems.append((("working_directory",), f"working_directory {raw_workdir!r} does not exist", "warning"))

        program = _program(command, shell)
        if program and "/" in program and "${" not in program:
            resolved = (workdir / program).resolve()
            # An absolute program (a virtualenv's python, /usr/local/bin/notify) is as safe
            # as a bare name found on PATH; only a relative path that climbs out of the
            # repository is refused, as it most likely means a script that was moved away.
            if not os.path.isabs(program) and not resolved.is_relative_to(root.resolve()):
                problems.append((("command",), f"program {program!r} leads outside the repository; "
                                 "use an absolute path for a program installed elsewhere"))
            elif not resolved.is_file():
                problems.append((("command",), f"program {program!r} does not exist", "warning"))
            elif not os.access(resolved, os.X_OK):
                problems.append((("command",), f"program {program!r} is not executable (chmod +x)", "warning"))
        return problems

    def describe(self, config: Mapping[str, Any]) -> str:
        command = config.get("command")
        text = command if isinstance(command, str) else shlex.join(command or [])
        return f"command: {text}"

    def deliver(self, event: Event, config: Mapping[str, Any], context: DeliveryContext) -> DeliveryResult:
        started = time.monotonic()
        result = DeliveryResult(handler=context.hook, kind="command")
        try:
            hook_env = {key: str(value) for key, value in context.expand(dict(config.get("env") or {})).items()}
            command = context.expand(config["command"])
        except UnsetVariable as exc:
            result.error = str(exc)
            result.duration_ms = _ms(started)
            return result
        # Every env value is treated as secret, whether or not it came from ${VAR}.
        context.secrets.extend(hook_env.values())

        root = Path(context.root)
        workdir = root / config["working_directory"] if config.get("working_directory") else root
        payload = json.dumps(event.to_dict(), ensure_ascii=False).encode("utf-8")
        import tempfile

        fd, event_file = tempfile.mkstemp(prefix="flowops-event-", suffix=".json")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
            env = {
                **context.environ,
                **hook_env,
                "FLOWOPS_EVENT_TYPE": event.type,
                "FLOWOPS_EVENT_ID": event.id,
                "FLOWOPS_TASK_ID": str(event.data.get("task_id") or ""),
                "FLOWOPS_SPEC_ID": str(event.data.get("spec_id") or ""),
                "FLOWOPS_EVENT_FILE": event_file,
                "FLOWOPS_HOOK": context.hook,
            }
            run = _run(command, bool(config.get("shell")), workdir, env, event_file, context.timeout)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(event_file)

        result.duration_ms = _ms(started)
        result.stdout = context.redact(run.stdout)
        result.stderr = context.redact(run.stderr)
        if run.spawn_error:
            result.error = context.redact(run.spawn_error)
            return result
        result.exit_code = run.returncode
        if run.timed_out:
            result.error = f"timed out after {context.timeout:g} s; its process group was terminated"
        elif run.returncode:
            result.error = _failure_text(run.returncode, result.stderr)
        else:
            result.ok = True
        return result


class _Run:
    returncode: int | None = None
    timed_out = False
    spawn_error: str | None = None
    stdout = ""
    stderr = ""


def _run(command: Any, shell: bool, workdir: Path, env: dict, event_file: str, timeout: float) -> _Run:
    # Imported here: hooks.yaml is validated on every emit, a command runs far less often.
    import selectors
    import subprocess

    run = _Run()
    try:
        with open(event_file, "rb") as stdin:
            proc = subprocess.Popen(
                command,
                shell=shell,
                cwd=workdir,
                env=env,
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group, so a timeout can end all of it
                close_fds=True,
            )
    except OSError as exc:
        program = command if isinstance(command, str) else command[0]
        run.spawn_error = f"cannot run {program}: {exc.strerror or exc}"
        return run

    deadline = time.monotonic() + timeout
    stdout, stderr = proc.stdout, proc.stderr
    assert stdout is not None and stderr is not None  # both are pipes (Popen above)
    outputs: dict[Any, _Capped] = {stdout: _Capped(), stderr: _Capped()}
    selector = selectors.DefaultSelector()
    for stream in outputs:
        selector.register(stream, selectors.EVENT_READ)
    exited_at: float | None = None
    try:
        while selector.get_map():
            now = time.monotonic()
            if now >= deadline:
                run.timed_out = True
                break
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at > _DRAIN_AFTER_EXIT:
                break  # a background child keeps the pipes open; do not wait for it
            for key, _mask in selector.select(min(deadline - now, 0.05 if exited_at else 0.5)):
                chunk = os.read(key.fd, 65536)
                if chunk:
                    outputs[key.fileobj].add(chunk)
                else:
                    selector.unregister(key.fileobj)
        if not run.timed_out:
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 0))
            except subprocess.TimeoutExpired:
                run.timed_out = True
        if run.timed_out or _group_alive(proc.pid):
            # On a timeout, or when the program is done but left children in its group.
            _end_group(proc)
    finally:
        selector.close()
        stdout.close()
        stderr.close()
        if proc.returncode is None:
            _end_group(proc)
    run.returncode = proc.returncode
    run.stdout = outputs[stdout].text()
    run.stderr = outputs[stderr].text()
    return run


def _end_group(proc: Any) -> None:
    """SIGTERM the process group, wait up to KILL_GRACE for it to empty, then SIGKILL it."""
    import signal

    pgid = proc.pid
    _signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + KILL_GRACE
    while time.monotonic() < deadline:
        proc.poll()  # reap the leader, or it would keep the group alive as a zombie
        if not _group_alive(pgid):
            break
        time.sleep(0.05)
    _signal_group(pgid, signal.SIGKILL)
    if proc.poll() is None:
        proc.kill()  # should the group signal have missed it, never wait forever
    proc.wait()


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # kill(0) also succeeds for zombies, and where PID 1 does not reap orphans (many
    # containers) they stay forever; on Linux, look for a member that still runs.
    try:
        pids = [name for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return True
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != b"Z":
            return True
    return False


class _Capped:
    def __init__(self) -> None:
        self.data = bytearray()
        self.dropped = 0

    def add(self, chunk: bytes) -> None:
        room = OUTPUT_CAP - len(self.data)
        self.data += chunk[:room]
        self.dropped += max(len(chunk) - room, 0)

    def text(self) -> str:
        text = self.data.decode("utf-8", "replace")
        if self.dropped:
            text += f"\n[flowops: {self.dropped} more bytes not kept]"
        return text


def _program(command: Any, shell: bool) -> str | None:
    if shell and isinstance(command, str):
        try:
            words = shlex.split(command)
        except ValueError:
            return None
        return words[0] if words else None
    if isinstance(command, list) and command and isinstance(command[0], str):
        return command[0]
    return None


def _failure_text(returncode: int, stderr: str | None) -> str:
    import signal

    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        text = f"killed by {name}"
    else:
        text = f"exit code {returncode}"
    last = next((line.strip() for line in reversed((stderr or "").splitlines()) if line.strip()), "")
    if last:
        text += f": {last[:200]}"
    return text


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)

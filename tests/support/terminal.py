"""Run ``flowops`` with stdout on a real pseudo-terminal, as a person at a terminal does.

Rich renders only when stdout is a terminal, so bugs in the rich views (markup in user
text, for one) never show in tests that capture stdout through a pipe.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.support.cli import Result

TIMEOUT = 60.0


def run_in_terminal(args: list[str], cwd: Path, *, env: dict | None = None, columns: int = 120) -> Result:
    """``python -m flowops args`` with stdout on a pty (stderr stays a pipe); ANSI codes are kept."""
    primary, secondary = pty.openpty()
    environ = {**os.environ, "COLUMNS": str(columns), "LINES": "50", "TERM": "xterm-256color", **(env or {})}
    environ.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "flowops", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=secondary,
        stderr=subprocess.PIPE,
        env=environ,
    )
    os.close(secondary)
    chunks: list[bytes] = []
    deadline = time.monotonic() + TIMEOUT
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 0.2)
            if ready:
                try:
                    data = os.read(primary, 65536)
                except OSError:  # EIO: the child closed its side
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                # Drain what is left, then stop.
                ready, _, _ = select.select([primary], [], [], 0.2)
                if not ready:
                    break
        stderr = proc.stderr.read() if proc.stderr else b""
        code = proc.wait(timeout=TIMEOUT)
    finally:
        os.close(primary)
        if proc.poll() is None:
            proc.kill()
    stdout = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return Result(code, stdout, stderr.decode("utf-8", "replace"))

"""Waiting for a process to end, bounded, without assuming how fast a loaded machine is."""

from __future__ import annotations

import time
from pathlib import Path


def gone(pid: int, *, seconds: float = 30) -> bool:
    """True once ``pid`` no longer runs (absent, or a zombie waiting for its reaper); False after ``seconds``.

    Returns as soon as the process is gone, so a generous bound costs nothing when the test passes.
    """
    deadline = time.monotonic() + seconds
    while True:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            return True
        if "\nState:\tZ" in status:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)

"""Where an unexpected exception's traceback goes: one log file in the user's cache folder.

Modelled on pre-commit's error handler: the user sees one line naming the error and
this file; the file holds the version, the command and the full traceback for a bug
report. It lives outside the repository (``$FLOWOPS_CACHE_DIR``, else
``$XDG_CACHE_HOME/flowops``, else ``~/.cache/flowops``) so that a crash never leaves a
modified or untracked file in the user's git tree, and it is rewritten on each crash so
that it stays small.
"""

from __future__ import annotations

import os
import platform
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

LOG_NAME = "flowops.log"


def log_folder() -> Path:
    """The folder of the crash log (created on first write): the user's flowops cache folder."""
    from flowops.cachedir import cache_base

    return cache_base()


def write_crash_log(exc: BaseException, argv: list[str] | None) -> Path | None:
    """Write the report of ``exc`` and return its path; None when no folder could take it."""
    from flowops import __version__
    from flowops.events.secrets import redact

    command = " ".join(["flowops", *(argv if argv is not None else sys.argv[1:])])
    report = "\n".join(
        [
            "### flowops crash report",
            f"time: {datetime.now(UTC).isoformat(timespec='seconds')}",
            f"version: flowops {__version__}",
            f"python: {sys.version.split()[0]} ({sys.executable})",
            f"platform: {platform.platform()}",
            f"command: {command}",
            f"folder: {os.getcwd()}",
            "",
            "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
        ]
    )
    report = redact(report) or report
    from flowops.atomic import atomic_write_bytes

    # Tracebacks quote arguments, which may hold undecodable bytes: never fail on them.
    data = report.encode("utf-8", "replace")
    for folder in (log_folder(), Path(_temp_dir()) / f"flowops-{_user()}"):
        path = folder / LOG_NAME
        try:
            atomic_write_bytes(path, data, mode=0o600)  # it may quote task text or paths
        except OSError:
            continue
        return path
    return None


def one_line(exc: BaseException) -> str:
    """``RuntimeError: disk on fire``, on one line, with URL credentials masked."""
    from flowops.events.secrets import redact

    text = " ".join(str(exc).split())
    summary = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return redact(summary) or summary


def _temp_dir() -> str:
    import tempfile

    return tempfile.gettempdir()


def _user() -> str:
    try:
        return str(os.getuid())
    except AttributeError:  # pragma: no cover - Windows
        return os.environ.get("USERNAME", "user")

"""Run the flowops CLI in-process with exact exit codes and separate stdout/stderr."""

from __future__ import annotations

import shlex
from contextlib import chdir
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def __repr__(self) -> str:  # shown by pytest on assertion failures
        return f"Result(exit_code={self.exit_code}, stdout={self.stdout!r}, stderr={self.stderr!r})"


def run_flowops(args, cwd: Path, *, input: str | None = None, env: dict | None = None) -> Result:
    """Invoke ``flowops args`` in ``cwd`` through ``flowops.cli.main`` (exit code as the console script gives it)."""
    from flowops.cli import main
    from flowops.plugins import reset_plugins

    if isinstance(args, str):
        args = shlex.split(args)
    reset_plugins()
    runner = CliRunner()
    with chdir(cwd), runner.isolation(input=input, env=env) as streams:
        code = main(list(args))
        out, err = streams[0], streams[1]
        stdout = out.getvalue().decode("utf-8", "replace")
        stderr = err.getvalue().decode("utf-8", "replace") if err is not None else ""
    return Result(code, stdout, stderr)

"""Turning exceptions into the exit-code contract: 0 ok, 1 runtime, 2 usage, 3 criteria, 4 blocked."""

from __future__ import annotations

import sys

import click

from flowops.errors import EXIT_FAILURE, EXIT_USAGE, FlowopsError


def run_cli(group: click.Group, argv: list[str] | None) -> int:
    """Invoke ``group`` without letting click call sys.exit; map every failure to its code."""
    try:
        code = group.main(args=argv, prog_name="flowops", standalone_mode=False)
    except FlowopsError as exc:
        if exc.message or exc.problems:  # a Reported outcome has been told already
            from flowops.cli.output import say_err

            say_err(f"error: {exc}")
        return exc.exit_code
    except click.exceptions.Exit as exc:  # click's own --help and --version
        return exc.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_FAILURE
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE if isinstance(exc, click.UsageError) else exc.exit_code
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): nothing more to say, and no traceback.
        _silence_stdout()
        return EXIT_FAILURE
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    except Exception as exc:
        return _unexpected(exc, argv)
    # Commands end non-zero only by raising (flowops.errors.Reported when their output said it all).
    return code if isinstance(code, int) and not isinstance(code, bool) else 0


def _unexpected(exc: Exception, argv: list[str] | None) -> int:
    """One line naming the error and the log holding its traceback (as pre-commit does); exit 1."""
    from flowops.crashlog import one_line, write_crash_log

    try:
        log = write_crash_log(exc, argv)
    except Exception:  # the report of a crash must not crash
        log = None
    if log is None:
        import traceback

        # No folder could take the log: the traceback is better on stderr than lost.
        traceback.print_exception(exc, file=sys.stderr)
        click.echo(f"error: unexpected {one_line(exc)}", err=True)
    else:
        click.echo(f"error: unexpected {one_line(exc)} (the full traceback is in {log})", err=True)
    return EXIT_FAILURE


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass

import contextlib
import json
import os
import signal
from pathlib import Path

from flowops.events import command
from flowops.events.bus import emit
from tests.support.processes import gone


def hook_yaml(body: str) -> str:
    return "version: 1\nhooks:\n" + body


def test_handler_gets_event_on_stdin_in_a_file_and_in_env(project, write_hooks, script, repo):
    script(
        "scripts/record.sh",
        """
        cat > "$PWD/stdin.json"
        cp "$FLOWOPS_EVENT_FILE" "$PWD/file.json"
        env > "$PWD/env.txt"
        """,
    )
    write_hooks(
        hook_yaml(
            """
  - name: record
    events: ["deploy.*"]
    command: ["scripts/record.sh"]
    env: {CHANNEL: ops}
"""
        )
    )
    report = emit(project, "deploy.completed", task_id="TASK-12", spec_id="checkout", data={"region": "eu"})
    assert [r.ok for r in report.results] == [True]
    sent = report.event.to_dict()
    assert json.loads((repo / "stdin.json").read_text()) == sent
    assert json.loads((repo / "file.json").read_text()) == sent
    env = dict(line.split("=", 1) for line in (repo / "env.txt").read_text().splitlines() if "=" in line)
    assert env["FLOWOPS_EVENT_TYPE"] == "deploy.completed"
    assert env["FLOWOPS_EVENT_ID"] == report.event.id
    assert env["FLOWOPS_TASK_ID"] == "TASK-12"
    assert env["FLOWOPS_SPEC_ID"] == "checkout"
    assert env["CHANNEL"] == "ops"
    assert not Path(env["FLOWOPS_EVENT_FILE"]).exists()  # removed after the run


def test_payload_is_never_interpolated_into_a_shell(project, write_hooks, repo):
    write_hooks(
        hook_yaml(
            """
  - name: argv
    events: ["deploy.*"]
    command: ["sh", "-c", "cat > argv.json"]
  - name: shell
    events: ["deploy.*"]
    shell: true
    command: "cat > shell.json; echo $FLOWOPS_TASK_ID > task.txt"
"""
        )
    )
    hostile = "$(touch PWNED); touch PWNED2 `touch PWNED3`"
    report = emit(project, "deploy.completed", task_id=hostile, data={"note": hostile})
    assert all(r.ok for r in report.results)
    assert not any((repo / name).exists() for name in ("PWNED", "PWNED2", "PWNED3"))
    assert json.loads((repo / "shell.json").read_text())["data"]["note"] == hostile
    assert (repo / "task.txt").read_text().strip() == hostile


def test_failure_reports_exit_code_and_last_stderr_line(project, write_hooks, script):
    script("scripts/fail.sh", "echo starting >&2\necho 'disk full' >&2\nexit 3\n")
    write_hooks(hook_yaml('  - {name: fail, events: ["a.*"], command: ["scripts/fail.sh"]}\n'))
    (result,) = emit(project, "a.b").results
    assert (result.ok, result.exit_code, result.error) == (False, 3, "exit code 3: disk full")


def test_a_program_that_cannot_start_is_a_failed_delivery(project, write_hooks):
    write_hooks(hook_yaml('  - {name: ghost, events: ["a.*"], command: ["no-such-program-flowops"]}\n'))
    (result,) = emit(project, "a.b").results
    assert not result.ok and result.error.startswith("cannot run no-such-program-flowops")


def test_runs_in_the_working_directory_inside_the_repository(project, write_hooks, repo):
    (repo / "deploy").mkdir()
    write_hooks(hook_yaml('  - {name: here, events: ["a.*"], command: ["sh", "-c", "pwd > where.txt"], working_directory: deploy}\n'))
    assert emit(project, "a.b").results[0].ok
    assert Path((repo / "deploy" / "where.txt").read_text().strip()).resolve() == (repo / "deploy").resolve()


def test_timeout_ends_the_whole_process_group(project, write_hooks, script, repo):
    script(
        "scripts/hang.sh",
        """
        sleep 300 &
        echo $! > grandchild.pid
        sleep 300
        """,
    )
    write_hooks(hook_yaml('  - {name: hang, events: ["a.*"], command: ["scripts/hang.sh"], timeout: 1}\n'))
    (result,) = emit(project, "a.b").results
    assert not result.ok and "timed out after 1 s" in result.error
    assert gone(int((repo / "grandchild.pid").read_text()))


def test_a_group_that_ignores_sigterm_is_killed_after_the_grace(project, write_hooks, script, repo, monkeypatch):
    monkeypatch.setattr(command, "KILL_GRACE", 0.3)
    script(
        "scripts/stubborn.sh",
        """
        trap '' TERM
        sleep 300 &
        echo $! > grandchild.pid
        while :; do sleep 0.1; done
        """,
    )
    write_hooks(hook_yaml('  - {name: stubborn, events: ["a.*"], command: ["scripts/stubborn.sh"], timeout: 1}\n'))
    (result,) = emit(project, "a.b").results
    assert not result.ok and result.exit_code == -9
    assert gone(int((repo / "grandchild.pid").read_text()))


def test_output_is_captured_and_capped(project, write_hooks):
    write_hooks(hook_yaml('  - {name: chatty, events: ["a.*"], '
                          'command: ["sh", "-c", "head -c 200000 /dev/zero | tr \'\\\\0\' a; echo err >&2"]}\n'))
    (result,) = emit(project, "a.b").results
    assert result.ok
    kept, _, note = result.stdout.partition("\n[flowops: ")
    assert kept == "a" * command.OUTPUT_CAP
    assert note.startswith(f"{200000 - command.OUTPUT_CAP} more bytes not kept")
    assert result.stderr == "err\n"


def test_env_values_are_expanded_and_never_shown(project, write_hooks, monkeypatch):
    monkeypatch.setenv("OPS_TOKEN", "tok-3f9a1c")
    write_hooks(
        hook_yaml(
            """
  - name: leak
    events: ["a.*"]
    command: ["sh", "-c", "echo token=$TOKEN; echo literal=$PLAIN; echo bad $TOKEN >&2; exit 1"]
    env: {TOKEN: "${OPS_TOKEN}", PLAIN: "hunter22"}
"""
        )
    )
    (result,) = emit(project, "a.b").results
    assert result.stdout == "token=***\nliteral=***\n"
    assert result.error == "exit code 1: bad ***"


def test_an_unset_variable_fails_only_that_handler(project, write_hooks, monkeypatch, repo):
    monkeypatch.delenv("MISSING_FLOWOPS_VAR", raising=False)
    write_hooks(
        hook_yaml(
            """
  - {name: broken, events: ["a.*"], command: ["true"], env: {X: "${MISSING_FLOWOPS_VAR}"}}
  - {name: fine, events: ["a.*"], command: ["sh", "-c", "touch ran"]}
"""
        )
    )
    broken, fine = emit(project, "a.b").results
    assert (broken.ok, broken.error) == (False, "environment variable MISSING_FLOWOPS_VAR is not set")
    assert fine.ok and (repo / "ran").exists()


def test_a_background_child_holding_the_pipes_does_not_hold_up_delivery(project, write_hooks, repo):
    write_hooks(hook_yaml('  - {name: daemon, events: ["a.*"], '
                          'command: ["sh", "-c", "sleep 30 & echo $! > bg.pid; echo started"], timeout: 5}\n'))
    try:
        (result,) = emit(project, "a.b").results
        assert (result.ok, result.stdout) == (True, "started\n")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int((repo / "bg.pid").read_text()), signal.SIGKILL)


def test_background_children_left_by_a_finished_handler_are_ended(project, write_hooks, repo):
    # Ignoring SIGTERM as well: the group gets SIGKILL after the grace.
    write_hooks(hook_yaml('  - {name: leaves-work, events: ["a.*"], '
                          'command: ["sh", "-c", "(trap \'\' TERM; sleep 30) </dev/null >/dev/null 2>&1 & echo $! > bg.pid"], '
                          'timeout: 5}\n'))
    (result,) = emit(project, "a.b").results
    assert result.ok
    assert gone(int((repo / "bg.pid").read_text()))

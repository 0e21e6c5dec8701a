"""The real `flowops mcp` server, driven as a subprocess through the SDK's stdio client."""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import anyio
import pytest

pytest.importorskip("mcp", reason="the MCP server tests need the mcp SDK (pip install -e '.[test]')")

from mcp.shared.exceptions import MCPError  # noqa: E402

from flowops.render.agents import get_agent  # noqa: E402
from flowops.render.sources import discover_sources  # noqa: E402
from tests.support.mcp_client import mcp_session, server_parameters, structured, with_session  # noqa: E402
from tests.support.state import audit_log

ALERTS = Path(__file__).resolve().parents[1] / "data" / "alerts"
ISSUE_TOOLS = {
    "task_create", "task_list", "task_view", "task_edit", "task_search", "workflow_status", "workflow_check",
    "workflow_advance", "operate", "operate_status", "operate_complete", "ac_check", "ac_lint", "hooks_emit",
    "slo_budget", "ac_verify", "discover",
}


@pytest.fixture
def project(repo, flowops):
    """TASK-1 Validated (two criteria) with alert rules in monitoring/, TASK-2 in To Do."""
    assert flowops("init").exit_code == 0
    assert flowops("task create 'Checkout service' -l workflow:Validated --ac 'p95 below 200 ms' "
                   "--ac 'error rate below 0.1 %'").exit_code == 0
    assert flowops("task create 'Payment service'").exit_code == 0
    (repo / "monitoring").mkdir()
    shutil.copy(ALERTS / "prometheus_rules.yml", repo / "monitoring" / "alerts.yml")
    return repo


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file's bytes, but lock files (empty; the CLI leaves them too when it refuses an edit)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts and p.parent.name != "locks"}


def cli_json(flowops, command: str) -> dict:
    result = flowops(command)
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


def read_replies(lines: queue.Queue[str], ids: set[int], *, seconds: float) -> dict:
    """JSON-RPC replies taken from ``lines`` until every id in ``ids`` has one, within ``seconds``."""
    replies: dict = {}
    deadline = time.monotonic() + seconds
    while not ids <= replies.keys():
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(f"no reply to {sorted(ids - replies.keys())} within {seconds} s; got {replies}") from None
        reply = json.loads(line)
        replies[reply.get("id")] = reply
    return replies


def audit_events(root: Path) -> list[dict]:
    log = audit_log(root)
    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    return [r["event"] for r in records if r.get("kind") == "event"]


def test_lists_every_tool_with_its_schema_and_the_slash_commands_as_prompts(project):
    async def scenario(session):
        tools = (await session.list_tools()).tools
        prompts = (await session.list_prompts()).prompts
        rendered = await session.get_prompt("flow-operate", {"task_id": "TASK-1", "options": "--alerts monitoring/alerts.yml"})
        return tools, prompts, rendered

    tools, prompts, rendered = with_session(project, scenario)
    by_name = {tool.name: tool for tool in tools}
    assert set(by_name) >= ISSUE_TOOLS
    for tool in tools:
        assert tool.description and len(tool.description) > 40, tool.name
        assert tool.input_schema["type"] == "object" and tool.input_schema["additionalProperties"] is False
    edit = by_name["task_edit"].input_schema
    assert edit["required"] == ["task_id"]
    for name in ("check_ac", "uncheck_ac"):
        assert edit["properties"][name]["type"] == "array" and edit["properties"][name]["items"]["type"] == "integer"
    assert edit["properties"]["append_notes"] == {"description": "Append to the implementation notes.", "type": "array",
                                                  "items": {"type": "string"}}
    assert {"notes", "status"} <= set(edit["properties"])
    assert set(by_name["operate"].input_schema["properties"]) == {"task_id", "alerts", "playbook", "dry_run"}
    assert {"skip_state_check", "reason"} <= set(by_name["workflow_advance"].input_schema["properties"])
    assert by_name["task_view"].annotations.read_only_hint is True
    assert by_name["task_edit"].annotations.read_only_hint is False

    assert {prompt.name for prompt in prompts} == {"flow-operate", "flow-status"}
    # The same text as the slash command, with the arguments where the agent puts $ARGUMENTS.
    source = next(s for s in discover_sources() if s.name == "flow/operate")
    slash = get_agent("claude").render(source).split("---\n", 2)[2].lstrip("\n")
    text = rendered.messages[0].content.text
    assert text == slash.replace("$ARGUMENTS", "TASK-1 --alerts monitoring/alerts.yml")


def test_create_and_edit_return_the_documents_the_cli_prints_and_emit_events_from_mcp(project, flowops):
    async def scenario(session):
        created = await session.call_tool("task_create", {
            "title": "Alerting for checkout", "ac": ["an alert fires within 5 min of a 2 % error rate", "runbook linked"],
            "labels": ["ops", "alerting"], "priority": "high", "parent": "TASK-1"})
        edited = await session.call_tool("task_edit", {
            "task_id": "TASK-1.1", "check_ac": [1], "append_notes": ["Rule added in monitoring/alerts.yml", "Tested"],
            "status": "In Progress"})
        viewed = await session.call_tool("task_view", {"task_id": "1.1"})
        listed = await session.call_tool("task_list", {"parent": "TASK-1"})
        return created, edited, viewed, listed

    created, edited, viewed, listed = with_session(project, scenario)
    assert not created.is_error and not edited.is_error, (created, edited)
    assert structured(created)["task"]["id"] == "TASK-1.1"
    # The very documents `flowops ... --json` prints, as structured content and as text.
    assert structured(viewed) == cli_json(flowops, "task view TASK-1.1 --json") == structured(edited)
    assert json.loads(viewed.content[0].text) == structured(viewed)
    assert structured(listed) == cli_json(flowops, "task list -p TASK-1 --json")
    task = structured(viewed)["task"]
    assert task["status"] == "In Progress" and task["labels"] == ["ops", "alerting"]
    assert [c["checked"] for c in task["acceptanceCriteria"]] == [True, False]
    text = (project / task["path"]).read_text()
    assert "- [x] #1 an alert fires within 5 min of a 2 % error rate" in text
    assert "Rule added in monitoring/alerts.yml\n\nTested" in text
    # Written through the same store and events as the CLI; the audit log says it was the agent.
    events = audit_events(project)
    from_mcp = [e for e in events if e["source"] == f"flowops:/{project.name}/mcp"]
    assert [e["type"] for e in from_mcp] == ["task.created", "task.updated", "task.status_changed", "task.ac_checked"]
    assert all(e["source"] == f"flowops:/{project.name}" for e in events if e not in from_mcp)


def test_a_criterion_number_that_does_not_exist_is_an_error_and_nothing_is_written(project):
    before = snapshot(project)

    async def scenario(session):
        return (await session.call_tool("task_edit", {"task_id": "TASK-1", "check_ac": [1, 9]}),
                await session.call_tool("task_edit", {"task_id": "TASK-1", "check_ac": ["first"]}))

    missing, mistyped = with_session(project, scenario)
    assert missing.is_error
    error = structured(missing)["error"]
    assert error["exitCode"] == 2 and error["kind"] == "usage"
    assert "#9 does not exist on TASK-1" in error["message"] and "nothing was changed" in error["hint"]
    assert missing.content[0].text.startswith(f"error: {error['message']}\nhint: ")
    assert mistyped.is_error and structured(mistyped)["error"]["message"] == (
        "task_edit: argument 'check_ac' must be a list of integers, not a string \"first\"")
    assert snapshot(project) == before


def test_operate_on_a_feature_that_is_not_validated_is_blocked_naming_the_state(project):
    before = snapshot(project)

    async def scenario(session):
        return (await session.call_tool("operate", {"task_id": "TASK-2"}),
                await session.call_tool("workflow_check", {"workflow": "operate", "task_id": "TASK-2"}))

    operate, check = with_session(project, scenario)
    for result in (operate, check):
        assert result.is_error
        error = structured(result)["error"]
        assert error["exitCode"] == 4 and error["kind"] == "blocked"
        assert "it is in To Do, but workflow 'operate' requires Validated" in error["message"]
    assert structured(check)["error"]["document"]["required_states"] == ["Validated"]
    assert snapshot(project) == before


def test_a_dry_run_operate_returns_the_plan_and_writes_nothing(project, flowops):
    before = snapshot(project)

    async def scenario(session):
        return await session.call_tool("operate", {"task_id": "TASK-1", "alerts": ["monitoring/alerts.yml"], "dry_run": True})

    result = with_session(project, scenario)
    assert not result.is_error, result
    plan = structured(result)
    assert plan["dry_run"] is True and len(plan["created"]) == 7
    assert {entry["id"] for entry in plan["created"]} == {None}  # ids are null for what a dry run would create
    assert snapshot(project) == before
    assert plan == cli_json(flowops, "operate 1 --alerts monitoring/alerts.yml --dry-run --json")


def test_malformed_calls_are_errors_and_the_server_keeps_serving(project):
    async def scenario(session):
        outcomes = []
        for name, arguments in [
            ("task_view", {}),  # missing task_id
            ("task_view", {"task_id": "TASK-1", "verbose": True}),  # unknown argument
            ("task_edit", {"task_id": ["TASK-1"], "notes": "x"}),  # a list for one value
            ("task_list", {"priority": "urgent"}),  # not a choice: click's message, in tool terms
            ("task_view", {"task_id": "TASK-99"}),  # no such task
            ("ac_check", {"task_id": "TASK-1"}),  # unchecked criteria
        ]:
            outcomes.append(structured(await session.call_tool(name, arguments))["error"])
        with pytest.raises(MCPError, match="unknown tool 'task_delete'"):
            await session.call_tool("task_delete", {"task_id": "TASK-1"})
        with pytest.raises(MCPError, match="unknown prompt"):
            await session.get_prompt("flow-nothing", {})
        still = await session.call_tool("task_view", {"task_id": "TASK-1"})
        return outcomes, still

    outcomes, still = with_session(project, scenario)
    assert [(e["exitCode"], e["kind"]) for e in outcomes] == [
        (2, "usage"), (2, "usage"), (2, "usage"), (2, "usage"), (1, "failure"), (3, "criteria")]
    assert outcomes[0]["message"] == "task_view: missing required argument 'task_id'"
    assert outcomes[1]["message"] == "task_view: unknown argument 'verbose'" and outcomes[1]["hint"] == "arguments: task_id"
    assert outcomes[2]["message"] == "task_edit: argument 'task_id' takes one string, not a list"
    assert outcomes[3]["message"] == "Invalid value for 'priority': 'urgent' is not one of 'high', 'medium', 'low'."
    assert outcomes[4]["message"] == "task TASK-99 not found"
    assert outcomes[5]["message"].startswith("2 acceptance criteria unchecked: TASK-1 #1 p95 below 200 ms")
    assert outcomes[5]["document"]["unchecked"] == 2
    assert structured(still)["task"]["id"] == "TASK-1"


def test_a_line_that_is_not_json_does_not_stop_the_server(project):
    messages = [
        "this is not JSON-RPC",
        json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}}),
        "{\"jsonrpc\": \"2.0\", \"id\": 2, \"method\": ",
        json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json.dumps({"jsonrpc": "2.0", "id": 3, "method": "ping"}),
    ]
    params = server_parameters(project)
    server = subprocess.Popen([params.command, *params.args], cwd=project, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in server.stdout], daemon=True)
    reader.start()
    try:
        server.stdin.write("\n".join(messages) + "\n")
        server.stdin.flush()
        # Keep stdin open until both answers are in: end of input ends the server, and on a
        # loaded machine it could come before the ping was answered.
        replies = read_replies(lines, {1, 3}, seconds=120)
        server.stdin.close()
        assert server.wait(timeout=120) == 0, server.stderr.read()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        reader.join(timeout=30)  # the server's end closes its stdout, which ends the reader
        server.stdout.close()
        server.stderr.close()
    assert replies[1]["result"]["serverInfo"]["name"] == "flowops"
    assert replies[3]["result"] == {}


def test_root_names_the_project_when_the_agent_starts_the_server_elsewhere(project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    async def scenario(session):
        return await session.call_tool("task_view", {"task_id": "TASK-1"})

    result = with_session(elsewhere, scenario, "--root", str(project))
    assert structured(result)["task"]["title"] == "Checkout service"


def test_two_clients_on_one_backlog_lose_nothing(project):
    per_client = 6

    async def client(number: int, created: list[str]) -> None:
        async with mcp_session(project) as session:
            async def create(n: int) -> None:
                result = await session.call_tool("task_create", {"title": f"client {number} task {n}"})
                created.append(structured(result)["task"]["id"])

            async def note(n: int) -> None:
                result = await session.call_tool("task_edit", {"task_id": "TASK-1", "append_notes": [f"note {number}.{n}"]})
                assert not result.is_error, result

            async with anyio.create_task_group() as group:
                for n in range(per_client):
                    group.start_soon(create, n)
                    group.start_soon(note, n)

    async def main() -> list[str]:
        created: list[str] = []
        with anyio.fail_after(240):
            async with anyio.create_task_group() as group:
                group.start_soon(client, 1, created)
                group.start_soon(client, 2, created)
        return created

    created = anyio.run(main)
    assert len(created) == len(set(created)) == 2 * per_client
    titles = sorted(p.name for p in (project / "backlog" / "tasks").glob("task-*.md"))
    assert len(titles) == 2 + 2 * per_client
    notes = (next((project / "backlog" / "tasks").glob("task-1 - *.md"))).read_text()
    for number in (1, 2):
        for n in range(per_client):
            assert f"note {number}.{n}" in notes


def test_the_server_runs_from_the_console_script_too(project):
    # What an agent's configuration starts: the `flowops` executable, not python -m.
    script = Path(sys.executable).with_name("flowops")
    if not script.exists():
        pytest.skip("no flowops console script next to this Python")
    params = server_parameters(project)
    params.command, params.args = str(script), ["mcp"]

    async def main():
        from mcp import ClientSession, stdio_client

        with anyio.fail_after(120):
            async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
                initialized = await session.initialize()
                return initialized.server_info.name, initialized.instructions

    name, instructions = anyio.run(main)
    assert name == "flowops" and '"kind"' in instructions


def test_a_folder_without_a_backlog_is_served_with_a_warning_and_an_empty_input_ends_it(repo):
    params = server_parameters(repo)
    done = subprocess.run([params.command, *params.args], cwd=repo, input="", capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert f"warning: no backlog in {repo} yet" in done.stderr

"""`flowops commands install --mcp`: the server registered in each agent's project config, merged, atomically."""

from __future__ import annotations

import json
import os

import pytest

CLAUDE_ENTRY = {"type": "stdio", "command": "flowops", "args": ["mcp"], "env": {}}
WORKSPACE_ENTRY = {"type": "stdio", "command": "flowops", "args": ["mcp", "--root", "${workspaceFolder}"]}
CONFIGS = {
    "claude": (".mcp.json", "mcpServers", CLAUDE_ENTRY),
    "gemini": (".gemini/settings.json", "mcpServers", {"command": "flowops", "args": ["mcp"]}),
    "cursor": (".cursor/mcp.json", "mcpServers", WORKSPACE_ENTRY),
    "copilot": (".vscode/mcp.json", "servers", WORKSPACE_ENTRY),
}


@pytest.mark.parametrize("agent", list(CONFIGS))
def test_mcp_registers_the_server_in_the_agents_project_config(flowops, repo, agent):
    path, key, entry = CONFIGS[agent]
    result = flowops(f"commands install --agent {agent} --mcp --json")
    assert result.exit_code == 0, result
    assert json.loads((repo / path).read_text()) == {key: {"flowops": entry}}
    files = json.loads(result.stdout)["files"]
    assert {"agent": agent, "command": "flowops mcp", "source": "-", "path": path, "status": "written"} in files


def test_other_servers_and_keys_stay_exactly_as_they_were(flowops, repo):
    original = ('{\n    "mcpServers": {\n        "backlog": {"command": "backlog", "args": ["mcp", "start"]}\n    },\n'
                '    "permissions": {"allow": ["Bash(npm test)"]}\n}\n')
    (repo / ".mcp.json").write_text(original)
    assert flowops("commands install --mcp").exit_code == 0
    merged = (repo / ".mcp.json").read_text()
    assert json.loads(merged) == {
        "mcpServers": {"backlog": {"command": "backlog", "args": ["mcp", "start"]}, "flowops": CLAUDE_ENTRY},
        "permissions": {"allow": ["Bash(npm test)"]},
    }
    # Only the new entry was added, in the file's own 4-space indent: the user's lines are untouched.
    assert merged == (
        '{\n    "mcpServers": {\n        "backlog": {"command": "backlog", "args": ["mcp", "start"]},\n'
        '        "flowops": {\n            "type": "stdio",\n            "command": "flowops",\n'
        '            "args": [\n                "mcp"\n            ],\n            "env": {}\n        }\n    },\n'
        '    "permissions": {"allow": ["Bash(npm test)"]}\n}\n')


def test_a_second_run_changes_nothing_byte_for_byte(flowops, repo):
    (repo / ".gemini").mkdir()
    (repo / ".gemini" / "settings.json").write_text('{"theme": "GitHub", "mcpServers": {}}')
    assert flowops("commands install --agent gemini --agent cursor --agent claude --mcp").exit_code == 0
    files = [repo / ".gemini/settings.json", repo / ".cursor/mcp.json", repo / ".mcp.json"]
    before = {f: (f.read_bytes(), f.stat().st_mtime_ns, f.stat().st_ino) for f in files}
    result = flowops("commands install --agent gemini --agent cursor --agent claude --mcp --plain")
    assert result.exit_code == 0, result
    assert {f: (f.read_bytes(), f.stat().st_mtime_ns, f.stat().st_ino) for f in files} == before
    assert set(line.split()[0] for line in result.stdout.splitlines()[:-1]) == {"unchanged"}
    assert result.stdout.splitlines()[-1] == "9 unchanged"


def test_an_invalid_json_file_is_exit_2_naming_file_and_line_and_nothing_is_written(flowops, repo):
    broken = '{\n  "mcpServers": {\n    "other": {"command": "x"},\n  }\n}\n'  # a trailing comma
    (repo / ".cursor").mkdir()
    (repo / ".cursor" / "mcp.json").write_text(broken)
    result = flowops("commands install --agent claude --agent cursor --mcp")
    assert result.exit_code == 2, result
    assert result.stderr.startswith("error: .cursor/mcp.json:4: invalid JSON: ")
    assert "it was not changed" in result.stderr
    assert (repo / ".cursor" / "mcp.json").read_text() == broken
    # Checked before the first write: no command file, no other config either.
    assert sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts) == [
        ".cursor/mcp.json"]


@pytest.mark.parametrize(("text", "message"), [
    ('["not", "an", "object"]', "error: .mcp.json:1: must be a JSON object"),
    ('{\n  "mcpServers": ["flowops"]\n}', "error: .mcp.json:2, field 'mcpServers': 'mcpServers' must be an object"),
])
def test_a_file_of_the_wrong_shape_is_exit_2_and_kept(flowops, repo, text, message):
    (repo / ".mcp.json").write_text(text)
    result = flowops("commands install --mcp")
    assert result.exit_code == 2, result
    assert result.stderr.startswith(message)
    assert (repo / ".mcp.json").read_text() == text


def test_an_edited_flowops_entry_is_kept_unless_force(flowops, repo):
    mine = {"mcpServers": {"flowops": {"command": "/opt/flowops/bin/flowops", "args": ["mcp"]}}}
    (repo / ".mcp.json").write_text(json.dumps(mine, indent=2) + "\n")
    result = flowops("commands install --mcp --plain")
    assert "kept     .mcp.json" in result.stdout
    assert json.loads((repo / ".mcp.json").read_text()) == mine
    assert flowops("commands install --mcp --force").exit_code == 0
    assert json.loads((repo / ".mcp.json").read_text()) == {"mcpServers": {"flowops": CLAUDE_ENTRY}}


def test_dry_run_writes_no_config(flowops, repo):
    result = flowops("commands install --agent gemini --mcp --dry-run --plain")
    assert "would-write  .gemini/settings.json" in result.stdout
    assert not (repo / ".gemini").exists()


def test_a_link_out_of_the_project_is_not_followed(flowops, repo, tmp_path):
    outside = tmp_path / "shared-mcp.json"
    outside.write_text("{}\n")
    os.symlink(outside, repo / ".mcp.json")
    result = flowops("commands install --mcp")
    assert result.exit_code == 2, result
    assert f"error: .mcp.json: is a link to {outside.resolve()}, outside the project" in result.stderr
    assert outside.read_text() == "{}\n"


def test_codex_gets_a_note_and_flowops_off_path_is_pointed_out(flowops, repo):
    result = flowops("commands install --agent codex --mcp", env={"PATH": "/nonexistent"})
    assert result.exit_code == 0, result
    assert "note: Codex reads MCP servers from ~/.codex/config.toml only" in result.stderr
    assert "note: `flowops` is not on PATH" in result.stderr

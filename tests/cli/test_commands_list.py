from __future__ import annotations

import json


def test_list_shows_each_source_with_description_and_includes(flowops):
    result = flowops("commands list --plain")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert lines[0] == "/flow:operate  commands/flow/operate.md"
    assert "  includes: partials/_workflow-state.md, partials/_backlog-usage.md" in lines
    assert "/flow:status  commands/flow/status.md" in lines


def test_list_json_names_every_agents_file(flowops):
    result = flowops("commands list --json")
    assert result.exit_code == 0, result
    commands = json.loads(result.stdout)["commands"]
    assert [command["name"] for command in commands] == ["flow/operate", "flow/status"]
    assert commands[0]["agents"] == {
        "claude": ".claude/commands/flow-operate.md",
        "claude-plugin": ".claude/flowops-plugin/flow/commands/operate.md",
        "copilot": ".github/prompts/flow.operate.prompt.md",
        "gemini": ".gemini/commands/flow/operate.toml",
        "cursor": ".cursor/commands/flow-operate.md",
        "codex": ".codex/prompts/flow-operate.md",
    }
    assert set(commands[1]) == {"name", "command", "source", "description", "argument_hint", "includes", "agents"}

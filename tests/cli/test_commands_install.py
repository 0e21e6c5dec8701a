from __future__ import annotations

import json
import tomllib

import pytest

from tests.render.agent_files import read_command

AGENT_FILES = {
    "claude": (".claude/commands/flow-operate.md", ".claude/commands/flow-status.md"),
    "claude-plugin": (".claude/flowops-plugin/flow/commands/operate.md", ".claude/flowops-plugin/flow/commands/status.md",
                      ".claude/flowops-plugin/.claude-plugin/marketplace.json",
                      ".claude/flowops-plugin/flow/.claude-plugin/plugin.json"),
    "copilot": (".github/prompts/flow.operate.prompt.md", ".github/prompts/flow.status.prompt.md"),
    "gemini": (".gemini/commands/flow/operate.toml", ".gemini/commands/flow/status.toml"),
    "cursor": (".cursor/commands/flow-operate.md", ".cursor/commands/flow-status.md"),
    "codex": (".codex/prompts/flow-operate.md", ".codex/prompts/flow-status.md"),
}
ARGUMENT_FORMS = {
    "claude": "Arguments: $ARGUMENTS",
    "claude-plugin": "Arguments: $ARGUMENTS",
    "copilot": "Arguments: the text typed after the command name",
    "gemini": "Arguments: {{args}}",
    "cursor": "Arguments: the text typed after the command name",
    "codex": "Arguments: $ARGUMENTS",
}


def written_files(repo):
    return sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts)


def test_install_defaults_to_claude(flowops, repo):
    result = flowops("commands install --plain")
    assert result.exit_code == 0, result
    assert written_files(repo) == sorted(AGENT_FILES["claude"])
    assert result.stdout.splitlines() == [
        "written  .claude/commands/flow-operate.md",
        "written  .claude/commands/flow-status.md",
        "2 written",
    ]


@pytest.mark.parametrize("agent", list(AGENT_FILES))
def test_install_writes_each_agents_format_that_parses_back(flowops, repo, agent):
    result = flowops(f"commands install --agent {agent} --plain")
    assert result.exit_code == 0, result
    assert written_files(repo) == sorted(AGENT_FILES[agent])
    operate, status = (repo / rel for rel in AGENT_FILES[agent][:2])
    meta, prompt = read_command(operate)
    if agent == "cursor":
        assert meta is None
    else:
        assert meta["description"].startswith("Take a Validated feature to Deployed")
    if agent in ("claude", "claude-plugin", "copilot", "codex"):
        assert meta["argument-hint"].startswith("TASK-ID")
    if agent == "copilot":
        assert meta["agent"] == "agent"
    assert ARGUMENT_FORMS[agent] in prompt
    assert "flowops workflow check operate ID" in prompt
    assert "flowops operate ID --complete" in prompt
    assert "{{INCLUDE" not in prompt and "{{ARGUMENTS}}" not in prompt
    _meta, status_prompt = read_command(status)
    assert "flowops workflow status ID --json" in status_prompt


def test_gemini_files_are_toml_with_description_and_prompt(flowops, repo):
    flowops("commands install --agent gemini")
    data = tomllib.loads((repo / ".gemini/commands/flow/operate.toml").read_text(encoding="utf-8"))
    assert set(data) == {"description", "prompt"}
    assert data["prompt"].count("\n") > 50


def test_install_for_several_agents_at_once(flowops, repo):
    result = flowops("commands install --agent gemini --agent codex --agent gemini --plain")
    assert result.exit_code == 0, result
    assert written_files(repo) == sorted(AGENT_FILES["gemini"] + AGENT_FILES["codex"])


def test_all_installs_every_agent(flowops, repo):
    assert flowops("commands install --agent all").exit_code == 0
    assert written_files(repo) == sorted(rel for files in AGENT_FILES.values() for rel in files)


@pytest.fixture
def edited(flowops, repo):
    """An installed status command that the user has since changed."""
    flowops("commands install")
    mine = repo / ".claude/commands/flow-status.md"
    mine.write_text("my own version\n", encoding="utf-8")
    return mine


def test_existing_file_is_kept_without_force(flowops, edited):
    result = flowops("commands install --plain")
    assert result.exit_code == 0
    assert "kept       .claude/commands/flow-status.md" in result.stdout
    assert "unchanged  .claude/commands/flow-operate.md" in result.stdout
    assert "--force" in result.stderr
    assert edited.read_text(encoding="utf-8") == "my own version\n"


def test_force_overwrites_a_changed_file(flowops, edited):
    result = flowops("commands install --force --plain")
    assert result.exit_code == 0
    assert "written    .claude/commands/flow-status.md" in result.stdout
    assert "flowops workflow status" in edited.read_text(encoding="utf-8")


def test_second_install_changes_nothing(flowops, repo):
    flowops("commands install --agent all")
    before = {rel: (repo / rel).stat().st_mtime_ns for rel in written_files(repo)}
    result = flowops("commands install --agent all --json")
    assert {entry["status"] for entry in json.loads(result.stdout)["files"]} == {"unchanged"}
    assert {rel: (repo / rel).stat().st_mtime_ns for rel in written_files(repo)} == before


def test_dry_run_writes_nothing_and_reports_would_write(flowops, repo):
    result = flowops("commands install --agent copilot --dry-run --plain")
    assert result.exit_code == 0
    assert written_files(repo) == []
    assert result.stdout.splitlines()[0] == "would-write  .github/prompts/flow.operate.prompt.md"


def test_json_report_lists_every_file_with_its_status(flowops, repo):
    result = flowops("commands install --agent claude --agent cursor --json")
    report = json.loads(result.stdout)
    assert set(report) == {"root", "dry_run", "force", "files", "counts", "notes"}
    assert report["counts"] == {"written": 4, "would-write": 0, "unchanged": 0, "kept": 0}
    assert report["files"][0] == {
        "agent": "claude",
        "command": "/flow-operate",
        "source": "commands/flow/operate.md",
        "path": ".claude/commands/flow-operate.md",
        "status": "written",
    }
    assert [entry["command"] for entry in report["files"][2:]] == ["/flow-operate", "/flow-status"]


def test_paths_are_relative_to_the_project_root(flowops, repo):
    sub = repo / "src" / "deep"
    sub.mkdir(parents=True)
    result = flowops("commands install --plain", cwd=sub)
    assert result.exit_code == 0, result
    assert (repo / ".claude/commands/flow-operate.md").is_file()
    assert not (sub / ".claude").exists()


def test_unknown_agent_is_a_usage_error(flowops, repo):
    result = flowops("commands install --agent vim")
    assert result.exit_code == 2
    assert "vim" in result.stderr
    assert written_files(repo) == []


def test_folder_in_the_way_is_a_failure_naming_it(flowops, repo):
    (repo / ".claude/commands/flow-operate.md").mkdir(parents=True)
    result = flowops("commands install")
    assert result.exit_code == 1
    assert ".claude/commands/flow-operate.md" in result.stderr

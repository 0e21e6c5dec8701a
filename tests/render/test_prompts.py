"""The slash commands as MCP prompts: the same sources, the same text, the arguments where $ARGUMENTS goes."""

from __future__ import annotations

from flowops.render.agents import get_agent
from flowops.render.prompts import NO_ARGUMENTS, agent_prompts
from flowops.render.sources import discover_sources


def claude_body(name: str) -> str:
    source = next(s for s in discover_sources() if s.name == name)
    return get_agent("claude").render(source).split("---\n", 2)[2].lstrip("\n")


def test_each_command_source_is_a_prompt_named_as_the_project_command():
    prompts = {p.name: p for p in agent_prompts()}
    assert set(prompts) == {"flow-operate", "flow-status"}
    assert [a.name for a in prompts["flow-operate"].arguments] == ["task_id", "options"]
    assert [a.name for a in prompts["flow-status"].arguments] == ["task_id"]
    assert "--alerts FILE" in prompts["flow-operate"].arguments[1].description
    assert not any(a.required for p in prompts.values() for a in p.arguments)
    assert prompts["flow-status"].description == next(s for s in discover_sources() if s.name == "flow/status").description


def test_the_text_is_the_slash_commands_with_the_arguments_in_place():
    prompts = {p.name: p for p in agent_prompts()}
    assert prompts["flow-status"].render({"task_id": "TASK-12"}) == claude_body("flow/status").replace("$ARGUMENTS", "TASK-12")
    assert prompts["flow-operate"].render({"task_id": "12", "options": " --playbook mlops "}) == (
        claude_body("flow/operate").replace("$ARGUMENTS", "12 --playbook mlops"))


def test_without_arguments_the_text_says_none_were_given():
    text = agent_prompts()[1].render({})
    assert f"Arguments: {NO_ARGUMENTS}\n" in text
    assert "If none was given" in text

from __future__ import annotations

import re
import tomllib

import pytest
import yaml

from flowops.errors import UsageError
from flowops.render.agents import AGENTS, get_agent
from flowops.render.sources import discover_sources
from tests.render.agent_files import split_markdown

TRICKY = (
    "---\n"
    "description: 'Quotes \" and colons: all kept'\n"
    "argument-hint: \"[ID] --flag\"\n"
    "---\n"
    "Backslash \\ and \\n stay literal, triple quotes \"\"\" and ''' too, ünïcödé.\n"
    "Args: {{ARGUMENTS}}\n"
)


@pytest.fixture
def tricky(commands_dir):
    (source,) = discover_sources(commands_dir({"flow/tricky.md": TRICKY}))
    return source


def body_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("Backslash"))


def test_claude_gets_frontmatter_and_dollar_arguments(tricky):
    meta, body = split_markdown(get_agent("claude").render(tricky))
    assert meta == {"description": 'Quotes " and colons: all kept', "argument-hint": "[ID] --flag"}
    assert "Args: $ARGUMENTS" in body
    assert body_line(body) == body_line(TRICKY)


def test_copilot_prompt_runs_in_agent_mode_and_takes_trailing_text(tricky):
    meta, body = split_markdown(get_agent("copilot").render(tricky))
    assert meta == {"description": 'Quotes " and colons: all kept', "argument-hint": "[ID] --flag", "agent": "agent"}
    assert "{{ARGUMENTS}}" not in body and "$ARGUMENTS" not in body
    assert "Args: the text typed after the command name" in body


def test_gemini_gets_toml_with_a_multiline_prompt_and_args_placeholder(tricky):
    text = get_agent("gemini").render(tricky)
    data = tomllib.loads(text)
    assert set(data) == {"description", "prompt"}
    assert data["description"] == 'Quotes " and colons: all kept'
    assert "Args: {{args}}" in data["prompt"]
    assert body_line(data["prompt"]) == body_line(TRICKY)
    assert 'prompt = """' in text  # a multi-line string a person can read and edit


def test_cursor_gets_plain_markdown(tricky):
    text = get_agent("cursor").render(tricky)
    assert not text.startswith("---")
    assert "Args: the text typed after the command name" in text


def test_codex_gets_minimal_frontmatter_and_dollar_arguments(tricky):
    text = get_agent("codex").render(tricky)
    meta, body = split_markdown(text)
    assert meta == {"description": 'Quotes " and colons: all kept', "argument-hint": "[ID] --flag"}
    # Codex reads the frontmatter line by line: nothing but keys in it.
    assert all(not line.startswith("#") for line in text.split("\n---\n", 1)[0].splitlines())
    assert "Args: $ARGUMENTS" in body


@pytest.mark.parametrize("agent", list(AGENTS))
@pytest.mark.parametrize("name", ["flow/operate", "flow/status"])
def test_shipped_commands_render_for_every_agent(agent, name):
    source = next(s for s in discover_sources() if s.name == name)
    text = AGENTS[agent].render(source)
    if agent == "gemini":
        data = tomllib.loads(text)
        meta, body = {"description": data["description"]}, data["prompt"]
    else:
        meta, body = split_markdown(text)
    if agent != "cursor":
        assert meta["description"] == source.description
    assert "{{ARGUMENTS}}" not in body and "{{INCLUDE" not in body
    assert "flowops workflow" in body


@pytest.mark.parametrize("agent", ["claude", "codex"])
def test_shipped_text_has_no_dollar_placeholders_but_arguments(agent):
    # Both expand $1..$9 and Codex treats any $UPPER word as a named argument.
    for source in discover_sources():
        _meta, body = split_markdown(AGENTS[agent].render(source))
        assert set(re.findall(r"\$[A-Z0-9][A-Z0-9_]*", body)) == {"$ARGUMENTS"}


def test_shipped_text_avoids_agent_expansion_syntax():
    for source in discover_sources():
        # Gemini CLI runs !{...} and inlines @{...}; Claude Code runs !`...`.
        assert "!{" not in source.body and "@{" not in source.body
        assert "!`" not in source.body


def test_frontmatter_values_are_yaml_safe_for_every_agent(tricky):
    for name in ("claude", "copilot", "codex"):
        text = AGENTS[name].render(tricky)
        assert yaml.safe_load(text.split("---\n")[1])["argument-hint"] == "[ID] --flag"


def test_unknown_agent_lists_the_known_ones():
    with pytest.raises(UsageError) as caught:
        get_agent("vim")
    assert "claude, claude-plugin, copilot, gemini, cursor, codex" in caught.value.hint

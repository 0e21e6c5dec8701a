from __future__ import annotations

import re

import pytest

from flowops.errors import ConfigError
from flowops.render.sources import ARGUMENTS, discover_sources

COMMAND = "---\ndescription: Says hello\nargument-hint: NAME\n---\nHello {{ARGUMENTS}}\n"


def shipped(name: str):
    return next(source for source in discover_sources() if source.name == name)


def test_shipped_commands_are_operate_and_status():
    assert [source.slash for source in discover_sources()] == ["/flow:operate", "/flow:status"]


@pytest.mark.parametrize("name", ["flow/operate", "flow/status"])
def test_shipped_commands_resolve_their_includes_and_take_arguments(name):
    source = shipped(name)
    assert "{{INCLUDE" not in source.body
    assert ARGUMENTS in source.body
    assert source.description and "\n" not in source.description
    assert "workflow:<State>" in source.body  # text from the workflow-state partial


def test_operate_procedure_drives_the_flowops_cli_in_order():
    body = shipped("flow/operate").body
    steps = [
        "flowops workflow check operate ID",
        "flowops operate ID --dry-run",
        "flowops operate ID --json",
        "flowops operate ID --status",
        '-s "In Progress" -a @sre-agent',
        "--check-ac N",
        "--append-notes",
        "flowops ac check SUBTASK",
        "-s Done",
        "flowops operate ID --complete",
    ]
    positions = [body.find(step) for step in steps]
    assert -1 not in positions, [step for step, at in zip(steps, positions, strict=True) if at == -1]
    assert positions == sorted(positions)


def test_operate_procedure_says_what_to_do_on_exit_3_and_4():
    body = shipped("flow/operate").body
    assert re.search(r"Exit 4: stop", body)
    assert re.search(r"Exit 3: the message lists", body)
    assert "--skip-state-check --reason" in body


def test_operate_procedure_names_every_runbook_section():
    body = shipped("flow/operate").body
    for section in ("Symptoms", "Diagnosis", "Resolution", "Rollback", "Escalation"):
        assert f"**{section}**" in body


def test_status_command_only_reads():
    body = shipped("flow/status").body
    assert "only reads" in body
    edits = [line for line in body.splitlines() if "flowops task edit" in line or "--complete" in line]
    assert edits == []


def test_partials_are_not_commands(commands_dir):
    root = commands_dir({"flow/hello.md": COMMAND, "partials/_shared.md": "shared", "flow/_draft.md": "draft"})
    assert [source.name for source in discover_sources(root)] == ["flow/hello"]


def test_source_frontmatter_becomes_metadata(commands_dir):
    root = commands_dir({"flow/hello.md": COMMAND})
    (source,) = discover_sources(root)
    assert (source.description, source.argument_hint, source.body) == ("Says hello", "NAME", "Hello {{ARGUMENTS}}\n")


def test_source_without_description_is_refused(commands_dir):
    root = commands_dir({"flow/hello.md": "---\nargument-hint: NAME\n---\nHello\n"})
    with pytest.raises(ConfigError, match="no 'description'") as caught:
        discover_sources(root)
    assert caught.value.path == "commands/flow/hello.md"


def test_unknown_frontmatter_key_is_refused_with_its_line(commands_dir):
    root = commands_dir({"flow/hello.md": "---\ndescription: Hi\nmodel: big\n---\nHello\n"})
    with pytest.raises(ConfigError, match="unknown frontmatter key 'model'") as caught:
        discover_sources(root)
    assert caught.value.line == 3


def test_source_without_frontmatter_is_refused(commands_dir):
    root = commands_dir({"flow/hello.md": "Hello\n"})
    with pytest.raises(ConfigError, match="missing frontmatter"):
        discover_sources(root)


def test_missing_include_in_a_source_names_the_source_line(commands_dir):
    root = commands_dir({"flow/hello.md": "---\ndescription: Hi\n---\nHello\n{{INCLUDE:partials/_nope.md}}\n"})
    with pytest.raises(ConfigError, match="partials/_nope.md") as caught:
        discover_sources(root)
    assert (caught.value.path, caught.value.line) == ("commands/flow/hello.md", 5)

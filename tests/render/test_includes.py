from __future__ import annotations

import os

import pytest

from flowops.errors import ConfigError
from flowops.render.includes import MAX_INCLUDE_DEPTH, resolve_includes


def test_nested_includes_are_resolved_in_place(commands_dir):
    root = commands_dir(
        {
            "partials/_outer.md": "outer start\n{{INCLUDE:partials/_inner.md}}\nouter end\n",
            "partials/_inner.md": "inner text\n",
        }
    )
    text = "before\n{{INCLUDE:partials/_outer.md}}\nafter\n"
    assert resolve_includes(text, "flow/x.md", root) == "before\nouter start\ninner text\nouter end\nafter\n"


def test_include_inside_a_line_keeps_the_surrounding_text(commands_dir):
    root = commands_dir({"partials/_word.md": "shared"})
    assert resolve_includes("a {{INCLUDE:partials/_word.md}} b", "flow/x.md", root) == "a shared b"


def test_include_cycle_is_reported_with_the_whole_chain(commands_dir):
    root = commands_dir(
        {
            "partials/_a.md": "{{INCLUDE:partials/_b.md}}\n",
            "partials/_b.md": "line one\n{{INCLUDE:partials/_a.md}}\n",
        }
    )
    with pytest.raises(ConfigError) as caught:
        resolve_includes("{{INCLUDE:partials/_a.md}}\n", "flow/x.md", root)
    error = caught.value
    assert "commands/flow/x.md -> commands/partials/_a.md -> commands/partials/_b.md -> commands/partials/_a.md" in error.message
    assert (error.path, error.line) == ("commands/partials/_b.md", 2)


def test_a_file_including_itself_is_a_cycle(commands_dir):
    root = commands_dir({"flow/x.md": "{{INCLUDE:flow/x.md}}"})
    with pytest.raises(ConfigError, match="include cycle"):
        resolve_includes("{{INCLUDE:flow/x.md}}", "flow/x.md", root)


def test_nesting_deeper_than_the_limit_is_refused(commands_dir):
    files = {f"partials/_{i}.md": f"{{{{INCLUDE:partials/_{i + 1}.md}}}}" for i in range(MAX_INCLUDE_DEPTH + 1)}
    files[f"partials/_{MAX_INCLUDE_DEPTH + 1}.md"] = "bottom"
    root = commands_dir(files)
    with pytest.raises(ConfigError, match=f"deeper than {MAX_INCLUDE_DEPTH} levels"):
        resolve_includes("{{INCLUDE:partials/_0.md}}", "flow/x.md", root)


def test_nesting_up_to_the_limit_is_allowed(commands_dir):
    files = {f"partials/_{i}.md": f"{{{{INCLUDE:partials/_{i + 1}.md}}}}" for i in range(1, MAX_INCLUDE_DEPTH)}
    files[f"partials/_{MAX_INCLUDE_DEPTH}.md"] = "bottom"
    root = commands_dir(files)
    assert resolve_includes("{{INCLUDE:partials/_1.md}}", "flow/x.md", root) == "bottom"


def test_missing_include_names_the_include_and_the_including_file_and_line(commands_dir):
    root = commands_dir({"partials/_a.md": "first\nsecond {{INCLUDE:partials/_gone.md}}\n"})
    with pytest.raises(ConfigError) as caught:
        resolve_includes("{{INCLUDE:partials/_a.md}}", "flow/x.md", root)
    error = caught.value
    assert "partials/_gone.md" in error.message
    assert (error.path, error.line) == ("commands/partials/_a.md", 2)


def test_line_numbers_count_from_where_the_body_starts(commands_dir):
    root = commands_dir({})
    with pytest.raises(ConfigError) as caught:
        resolve_includes("text\n{{INCLUDE:partials/_gone.md}}", "flow/x.md", root, first_line=5)
    assert caught.value.line == 6


@pytest.mark.parametrize("target", ["../secret.md", "partials/../../secret.md", "partials/../../../etc/passwd"])
def test_include_may_not_leave_the_commands_folder(commands_dir, target):
    root = commands_dir({})
    (root.parent / "secret.md").write_text("do not read", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"leaves the commands folder"):
        resolve_includes(f"{{{{INCLUDE:{target}}}}}", "flow/x.md", root)


@pytest.mark.parametrize("target", ["/etc/hostname", "C:\\secret.md", "\\\\server\\share\\x.md"])
def test_absolute_include_paths_are_refused(commands_dir, target):
    root = commands_dir({})
    with pytest.raises(ConfigError, match="absolute"):
        resolve_includes(f"{{{{INCLUDE:{target}}}}}", "flow/x.md", root)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlink_pointing_outside_the_commands_folder_is_refused(commands_dir):
    root = commands_dir({})
    outside = root.parent / "outside.md"
    outside.write_text("outside", encoding="utf-8")
    (root / "partials").mkdir()
    (root / "partials" / "_link.md").symlink_to(outside)
    with pytest.raises(ConfigError, match="outside the commands folder"):
        resolve_includes("{{INCLUDE:partials/_link.md}}", "flow/x.md", root)


def test_misspelt_directive_is_an_error_when_directives_are_checked(commands_dir):
    root = commands_dir({})
    with pytest.raises(ConfigError) as caught:
        resolve_includes(
            "ok {{ARGUMENTS}}\n{{INCLUDE partials/_a.md}}\n", "flow/x.md", root, allowed_directives=frozenset({"ARGUMENTS"})
        )
    assert "{{INCLUDE partials/_a.md}}" in caught.value.message
    assert caught.value.line == 2


def test_github_style_expressions_are_not_directives(commands_dir):
    root = commands_dir({})
    text = "uses ${{ secrets.TOKEN }} and ${{GITHUB_SHA}}\n"
    assert resolve_includes(text, "flow/x.md", root, allowed_directives=frozenset()) == text

"""docs/cli.md is generated from the click command tree by scripts/gen_cli_docs.py.

The first test fails whenever a command, option or help text changed without the page
being regenerated; its message says how to regenerate it.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import run_flowops

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "gen_cli_docs.py"
CLI_DOC = ROOT / "docs" / "cli.md"


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_cli_docs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look the module up while it loads
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def _clean_env(**extra: str) -> dict[str, str]:
    # FLOWOPS_CACHE_DIR stays: tests never write caches into the real home.
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWOPS_") or k == "FLOWOPS_CACHE_DIR"}
    env.update(extra)
    return env


def _generate(cwd: Path, **env: str) -> subprocess.CompletedProcess:
    # A separate process: commands that other tests add to the in-process `cli` object
    # (or plugins they load) must not reach the page.
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--output", "-"],
        cwd=cwd,
        env=_clean_env(**env),
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> str:
    # An odd terminal width and a folder outside the repository: neither may change the page.
    result = _generate(tmp_path_factory.mktemp("elsewhere"), COLUMNS="37")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_cli_reference_is_up_to_date(generated):
    current = CLI_DOC.read_text(encoding="utf-8") if CLI_DOC.is_file() else ""
    if current != generated:
        diff = "".join(list(difflib.unified_diff(current.splitlines(True), generated.splitlines(True),
                                                 "docs/cli.md", "generated"))[:80])
        pytest.fail(f"docs/cli.md is out of date. Regenerate it from the repository root with:\n\n"
                    f"    {gen.REGENERATE}\n\nand commit the result. First lines of the difference:\n{diff}")


def test_check_flag_reports_a_stale_page_with_the_command_to_regenerate(tmp_path):
    stale = tmp_path / "cli.md"
    stale.write_text("# CLI reference\n\nold text\n", encoding="utf-8")
    result = subprocess.run([sys.executable, str(SCRIPT), "--check", "--output", str(stale)], cwd=tmp_path,
                            env=_clean_env(), capture_output=True, text=True)
    assert result.returncode == 1
    assert "-old text" in result.stderr
    assert gen.REGENERATE in result.stderr
    assert stale.read_text(encoding="utf-8") == "# CLI reference\n\nold text\n"


def _help(path: list[str], cwd: Path) -> str:
    result = run_flowops([*path, "--help"], cwd, env={"FLOWOPS_LOAD_PLUGINS": ""})
    assert result.exit_code == 0, result
    return result.stdout


def _help_sections(text: str) -> dict[str, list[str]]:
    """``--help`` output split into its sections: "Usage", "Options", "Commands"."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("Usage:"):
            current = "Usage"
            sections[current] = [line[len("Usage:"):]]
        elif re.fullmatch(r"[A-Z][a-z ]+:", line):
            current = line[:-1]
            sections[current] = []
        elif current == "Usage" and line.strip():
            sections[current].append(line)
        elif current == "Usage":
            current = None
        elif current is not None:
            sections[current].append(line)
    return sections


def _doc_section(page: str, path: str) -> str:
    match = re.search(rf"^## `{re.escape(path)}`\n(.*?)(?=^## |\Z)", page, re.MULTILINE | re.DOTALL)
    assert match, f"docs/cli.md has no section for `{path}`"
    return match.group(1)


def test_every_builtin_command_appears_with_the_usage_and_options_its_help_shows(generated, tmp_path):
    from flowops.cli import BUILTIN_COMMANDS

    names = list(BUILTIN_COMMANDS)
    pending = [[name] for name in sorted(names)]
    seen = 0
    while pending:
        path = pending.pop()
        full = " ".join(["flowops", *path])
        sections = _help_sections(_help(path, tmp_path))
        section = _doc_section(generated, full)
        usage = " ".join(" ".join(sections["Usage"]).split())
        assert f"Usage: {usage}" in section, f"usage of `{full}` differs from its --help"
        for line in sections.get("Options", []):
            for flag in re.findall(r"(?<![\w-])--?[A-Za-z][\w-]*", line.split("  ", 2)[1] if line.startswith("  -") else ""):
                if flag not in ("-h", "--help"):
                    assert flag in section, f"`{full} --help` shows {flag}, docs/cli.md does not"
        for line in sections.get("Commands", []):
            # A command's line starts two spaces in; its wrapped description is indented further.
            if re.match(r"  \S", line):
                pending.append([*path, line.split()[0]])
        seen += 1
    assert seen >= len(names)


def test_hidden_options_stay_hidden(generated):
    create = _doc_section(generated, "flowops task create")
    assert "`--ac TEXT`" in create
    assert "--acceptance-criteria" not in create  # a hidden alias of --ac


def test_commands_from_third_party_plugins_stay_out_of_the_reference(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "docs_probe_plugin.py").write_text(
        "import click\nimport flowops\n\n\n"
        "@click.command('probe-from-plugin')\ndef probe():\n    'A command a third-party plugin adds.'\n\n\n"
        "@flowops.hookimpl\ndef register_commands(cli):\n    cli.add_command(probe)\n",
        encoding="utf-8",
    )
    dist = site / "docs_probe_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: docs-probe-plugin\nVersion: 0.1\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[flowops]\nprobe = docs_probe_plugin\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()

    # The plugin is really installed: `flowops --help` lists its command.
    shown = subprocess.run([sys.executable, "-m", "flowops", "--help"], cwd=work, env=_clean_env(PYTHONPATH=str(site)),
                           capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert "probe-from-plugin" in shown.stdout

    result = _generate(work, PYTHONPATH=str(site))
    assert result.returncode == 0, result.stderr
    assert "## `flowops task`" in result.stdout
    assert "probe-from-plugin" not in result.stdout


def test_help_text_cannot_turn_into_markdown_markup():
    assert gen.escape("kept as <name>.legacy") == "kept as &lt;name&gt;.legacy"
    assert gen.escape("events such as deploy.* and workflow.*") == r"events such as deploy.\* and workflow.\*"
    assert gen.escape("FLOWOPS_NO_HOOKS=1 or _x_") == r"FLOWOPS_NO_HOOKS=1 or \_x\_"
    # Code spans are left exactly as written, except that a table cell needs its pipes escaped.
    assert gen.escape("run `a <b> *c*` now") == "run `a <b> *c*` now"
    assert gen.escape("one of a|b, `x|y`", table=True) == r"one of a\|b, `x\|y`"


def test_verbatim_help_blocks_become_code_blocks_and_paragraphs_are_rejoined():
    blocks = gen.help_paragraphs("First line\ncontinues here.\n\n\b\n  flowops a\n  flowops b\n\n1. not a list")
    assert blocks == ["First line continues here.", "```text\nflowops a\nflowops b\n```", r"1\. not a list"]
    # Only what markdown would really read as a list item or heading is escaped.
    assert gen.help_paragraphs("- not a list\n\n# not a heading\n\n--complete refuses") == [
        r"\- not a list", r"\# not a heading", "--complete refuses"]


def test_anchors_match_the_headings_github_generates():
    assert gen.anchor("flowops git hook-run") == "flowops-git-hook-run"
    page = CLI_DOC.read_text(encoding="utf-8")
    headings = {gen.anchor(h) for h in re.findall(r"^## `([^`]+)`$", page, re.MULTILINE)}
    for target in re.findall(r"\]\(#([^)]+)\)", page):
        assert target in headings, f"docs/cli.md links to #{target}, which no heading defines"

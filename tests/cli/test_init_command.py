import tomllib

PYPROJECT = """\
# Project metadata: keep this comment.
[project]
name = "shop"   # the distribution name
version = "1.0"

[tool.black]
line-length = 100
"""


def test_init_with_pyproject_config_keeps_its_comments_and_layout(repo, flowops):
    (repo / "pyproject.toml").write_text(PYPROJECT)
    result = flowops("init shop --config pyproject")
    assert result.exit_code == 0, result
    text = (repo / "pyproject.toml").read_text()
    assert text.startswith(PYPROJECT)  # everything the user wrote, byte for byte, first
    assert tomllib.loads(text)["tool"]["flowops"]["operate"]["playbooks"] == ["sre"]
    assert not (repo / ".flowops" / "config.toml").exists()
    again = flowops("init shop --config pyproject")
    assert "Nothing to do" in again.stdout and (repo / "pyproject.toml").read_text() == text


def test_init_adopts_an_existing_backlog_untouched(repo, flowops):
    backlog = repo / "backlog"
    (backlog / "tasks").mkdir(parents=True)
    (backlog / "config.yml").write_text('project_name: "theirs"\nstatuses: ["Open", "Closed"]\n')
    before = (backlog / "config.yml").read_bytes()
    result = flowops("init")
    assert "adopted  backlog/" in result.stdout
    assert (backlog / "config.yml").read_bytes() == before
    assert not (backlog / "drafts").exists()


def test_init_installs_git_hooks_and_agent_commands_when_asked(repo, flowops):
    result = flowops("init demo --git-hooks --commands claude --commands gemini")
    assert result.exit_code == 0, result
    assert "flowops" in (repo / ".git" / "hooks" / "post-commit").read_text()
    assert (repo / ".claude" / "commands" / "flow-operate.md").exists()
    assert tomllib.loads((repo / ".gemini" / "commands" / "flow" / "operate.toml").read_text())["prompt"]
    assert "Nothing to do" in flowops("init demo --git-hooks --commands claude --commands gemini").stdout


def test_init_from_a_subfolder_says_where_it_set_up(flowops, repo):
    sub = repo / "services" / "checkout"
    sub.mkdir(parents=True)
    result = flowops("init", cwd=sub)
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[-1] == f"flowops is set up in {repo} (the top of the git repository)."
    assert (repo / "backlog").is_dir() and not (sub / "backlog").exists()
    again = flowops("init", cwd=sub)
    assert again.stdout.splitlines()[-1] == (
        f"Nothing to do: flowops was already set up in {repo} (the top of the git repository)."
    )


def test_init_at_the_top_says_here(flowops, repo):
    result = flowops("init")
    assert result.stdout.splitlines()[-1] == f"flowops is set up here ({repo})."

from __future__ import annotations

import json

import yaml


def test_render_writes_the_workflow_under_the_project_root(flowops, repo):
    sub = repo / "service"
    sub.mkdir()
    result = flowops("templates render python", cwd=sub)
    assert result.exit_code == 0, result
    assert result.stdout == "written  .github/workflows/python-ci-cd.yml\n"
    text = (repo / ".github/workflows/python-ci-cd.yml").read_text(encoding="utf-8")
    assert "jobs" in yaml.safe_load(text)


def test_set_values_land_in_the_workflow(flowops, repo):
    result = flowops(["templates", "render", "nodejs", "--set", "NODE_VERSION=20", "--set", "TEST_COMMAND=npm run test:ci"])
    assert result.exit_code == 0, result
    text = (repo / ".github/workflows/nodejs-ci-cd.yml").read_text(encoding="utf-8")
    assert 'node-version: "20"' in text
    assert "npm run test:ci" in text


def test_existing_output_is_kept_unless_forced(flowops, repo):
    target = repo / ".github/workflows/go-ci-cd.yml"
    target.parent.mkdir(parents=True)
    target.write_text("name: mine\n", encoding="utf-8")
    result = flowops("templates render go")
    assert result.exit_code == 0
    assert result.stdout == "kept  .github/workflows/go-ci-cd.yml\n"
    assert "--force" in result.stderr
    assert target.read_text(encoding="utf-8") == "name: mine\n"
    result = flowops("templates render go --force")
    assert result.stdout == "written  .github/workflows/go-ci-cd.yml\n"
    assert "Go CI/CD" in target.read_text(encoding="utf-8")
    assert flowops("templates render go").stdout == "unchanged  .github/workflows/go-ci-cd.yml\n"


def test_out_path_and_stdout(flowops, repo):
    result = flowops("templates render dotnet --out ci/pipeline.yml --set PROJECT=Api/Api.csproj --json")
    assert result.exit_code == 0, result
    report = json.loads(result.stdout)
    assert (report["path"], report["status"]) == ("ci/pipeline.yml", "written")
    assert report["values"]["BUILD_COMMAND"].startswith("dotnet publish Api/Api.csproj")
    assert (repo / "ci/pipeline.yml").is_file()
    printed = flowops("templates render dotnet --out -")
    assert printed.stdout.startswith("# Rendered from the flowops 'dotnet' template")
    assert not (repo / ".github").exists()


def test_unknown_key_is_a_usage_error_naming_it(flowops, repo):
    result = flowops("templates render python --set PYTHON_VERSON=3.13")
    assert result.exit_code == 2
    assert "PYTHON_VERSON" in result.stderr
    assert not (repo / ".github").exists()


def test_malformed_set_is_a_usage_error(flowops):
    result = flowops("templates render python --set PYTHON_VERSION")
    assert result.exit_code == 2
    assert "KEY=VALUE" in result.stderr


def test_unknown_stack_is_a_usage_error_listing_the_stacks(flowops):
    result = flowops("templates render rust")
    assert result.exit_code == 2
    assert "available templates: dotnet, go, nodejs, python" in result.stderr


# -- what the project says, and what is still missing ------------------------------------


def git(repo, *args):
    import subprocess

    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def commit_all(repo):
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "start", "--allow-empty")


def test_the_default_branch_comes_from_origin_head(flowops, repo):
    commit_all(repo)
    git(repo, "update-ref", "refs/remotes/origin/develop", "HEAD")
    git(repo, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/develop")
    result = flowops("templates render python")
    assert result.exit_code == 0, result
    workflow = yaml.safe_load((repo / ".github/workflows/python-ci-cd.yml").read_text())
    assert workflow[True]["push"]["branches"] == ["develop"]  # `on:` reads as True in YAML 1.1
    assert "DEFAULT_BRANCH=develop (the remote's default branch, origin/HEAD)" in result.stderr
    text = (repo / ".github/workflows/python-ci-cd.yml").read_text()
    assert "--set DEFAULT_BRANCH=develop" in text.splitlines()[1]  # rendering again gives the same file


def test_without_a_remote_the_checked_out_branch_is_the_default(flowops, repo):
    git(repo, "checkout", "-q", "-b", "trunk")
    commit_all(repo)
    result = flowops("templates render go --out -")
    assert result.exit_code == 0, result
    assert 'branches: ["trunk"]' in result.stdout


def test_python_install_uses_the_extra_the_project_declares(flowops, repo):
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "shop"\nversion = "1.0"\n[project.optional-dependencies]\ndev = ["pytest", "ruff"]\n'
    )
    result = flowops("templates render python --out -")
    assert result.exit_code == 0, result
    assert "pip install -e '.[dev]' ruff mypy" in result.stdout and ".[test]" not in result.stdout
    assert "INSTALL_COMMAND" in result.stderr and "[dev]" in result.stderr


def test_python_without_extras_installs_the_project_and_pytest(flowops, repo):
    (repo / "pyproject.toml").write_text('[project]\nname = "shop"\nversion = "1.0"\n')
    result = flowops("templates render python --out -")
    assert result.exit_code == 0, result
    assert "pip install -e . pytest ruff mypy" in result.stdout and ".[test]" not in result.stdout


def test_a_set_value_is_never_replaced_by_a_detected_one(flowops, repo):
    (repo / "pyproject.toml").write_text('[project]\nname = "shop"\n[project.optional-dependencies]\ndev = ["x"]\n')
    result = flowops(["templates", "render", "python", "--out", "-", "--set", "INSTALL_COMMAND=make install"])
    assert result.exit_code == 0, result
    assert "run: |\n          make install\n" in result.stdout and ".[dev]" not in result.stdout


def test_a_missing_deploy_script_is_listed_as_still_to_provide(flowops, repo):
    result = flowops("templates render python")
    assert result.exit_code == 0, result
    assert "still to provide:" in result.stderr
    assert "DEPLOY_COMMAND runs ./scripts/deploy.sh, which does not exist" in result.stderr
    (repo / "scripts").mkdir()
    (repo / "scripts" / "deploy.sh").write_text("#!/bin/sh\n")
    again = flowops("templates render python --force")
    assert "deploy.sh" not in again.stderr


def test_node_scripts_the_workflow_runs_but_package_json_lacks_are_listed(flowops, repo):
    (repo / "package.json").write_text(json.dumps({"name": "shop", "scripts": {"build": "tsc"}}))
    result = flowops("templates render nodejs --out -")
    assert result.exit_code == 0, result
    assert "TEST_COMMAND runs `npm test`, but package.json has no \"test\" script" in result.stderr
    assert "LINT_COMMAND runs `npm run lint`, but package.json has no \"lint\" script" in result.stderr
    assert "TYPECHECK_COMMAND runs tsc, but there is no tsconfig.json" in result.stderr


def test_dotnet_finds_the_project_file(flowops, repo):
    (repo / "src" / "Shop.Api").mkdir(parents=True)
    (repo / "src" / "Shop.Api" / "Shop.Api.csproj").write_text("<Project Sdk=\"Microsoft.NET.Sdk.Web\" />\n")
    result = flowops("templates render dotnet --out -")
    assert result.exit_code == 0, result
    assert "dotnet publish src/Shop.Api/Shop.Api.csproj" in result.stdout
    assert "src/App/App.csproj" not in result.stderr


def test_dry_run_prints_the_result_and_writes_nothing(flowops, repo):
    result = flowops("templates render python --dry-run")
    assert result.exit_code == 0, result
    assert result.stdout.startswith("# Rendered from the flowops 'python' template")
    assert "dry run: would write .github/workflows/python-ci-cd.yml" in result.stderr
    assert not (repo / ".github").exists()
    data = json.loads(flowops("templates render python --dry-run --json").stdout)
    assert data["status"] == "would-write" and data["text"].startswith("# Rendered") and data["todo"]
    assert not (repo / ".github").exists()

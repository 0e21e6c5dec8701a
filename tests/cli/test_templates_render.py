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

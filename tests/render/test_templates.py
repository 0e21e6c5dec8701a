from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from flowops.errors import ConfigError, UsageError
from flowops.render.templates import PLACEHOLDER_RE, list_templates, load_template, parse_assignments, render_template

STACKS = ["dotnet", "go", "nodejs", "python"]
DEPLOY_JOBS = ["deploy-staging", "deploy-production", "rollback"]


def workflow(name: str, **overrides) -> dict:
    data = yaml.safe_load(render_template(load_template(name), overrides).text)
    # PyYAML reads the key `on` as True (YAML 1.1); GitHub reads it as "on".
    data["on"] = data.pop(True)
    return data


def steps_text(job: dict) -> str:
    return "\n".join(str(step.get("run", "")) + str(step.get("uses", "")) for step in job["steps"])


def test_every_stack_has_a_template():
    assert [template.name for template in list_templates()] == STACKS


def test_every_template_renders_with_defaults_and_matches_the_github_workflow_schema(tmp_path: Path):
    files = []
    for template in list_templates():
        rendered = render_template(template)
        assert not re.search(r"(?<!\$)\{\{", rendered.text)
        assert isinstance(yaml.safe_load(rendered.text), dict)
        target = tmp_path / template.filename
        target.write_text(rendered.text, encoding="utf-8")
        files.append(str(target))
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", *files],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_catches_a_broken_workflow(tmp_path: Path):
    # Guards the test above: the vendored schema must reject what GitHub would reject.
    text = render_template(load_template("python")).text.replace("runs-on:", "runs_on:", 1)
    target = tmp_path / "broken.yml"
    target.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(target)],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0


@pytest.mark.parametrize("stack", STACKS)
def test_pipeline_tests_lints_and_type_checks_before_building(stack):
    jobs = workflow(stack)["jobs"]
    quality = [step.get("name") for step in jobs["quality"]["steps"]]
    assert {"Lint", "Type-check", "Test"} <= set(quality)
    assert set(jobs["build"]["needs"]) == {"quality", "sast", "dependencies"}


@pytest.mark.parametrize("stack", STACKS)
def test_pipeline_runs_sast_and_dependency_scanning(stack):
    jobs = workflow(stack)["jobs"]
    assert "github/codeql-action/analyze@" in steps_text(jobs["sast"])
    assert jobs["sast"]["permissions"]["security-events"] == "write"
    assert any(step.get("name") == "Audit dependencies" for step in jobs["dependencies"]["steps"])


@pytest.mark.parametrize("stack", STACKS)
def test_artifact_is_built_once_with_digest_sbom_and_provenance(stack):
    jobs = workflow(stack)["jobs"]
    builders = [name for name, job in jobs.items() if "Build the artifact" in [s.get("name") for s in job["steps"]]]
    assert builders == ["build"]
    build = jobs["build"]
    text = steps_text(build)
    assert "sha256sum" in text and "GITHUB_OUTPUT" in text
    assert build["outputs"]["digest"] == "${{ steps.digest.outputs.digest }}"
    assert "cyclonedx" in text.lower() and "sbom.cdx.json" in text
    assert "actions/attest-build-provenance@" in text
    assert build["permissions"] == {"attestations": "write", "contents": "read", "id-token": "write"}


@pytest.mark.parametrize("stack", STACKS)
def test_every_deploy_verifies_the_digest_before_deploying(stack):
    jobs = workflow(stack)["jobs"]
    for name in DEPLOY_JOBS:
        names = [step.get("name") for step in jobs[name]["steps"]]
        verify = names.index("Verify the artifact digest and provenance")
        assert verify < names.index("Deploy"), name
        run = jobs[name]["steps"][verify]["run"]
        assert "sha256sum" in run and '"$actual" != "$EXPECTED_DIGEST"' in run and "exit 1" in run
        assert "gh attestation verify" in run
        # Nothing is rebuilt where it is deployed.
        assert "Build the artifact" not in names


@pytest.mark.parametrize("stack", STACKS)
def test_staging_comes_before_production_through_environments(stack):
    jobs = workflow(stack)["jobs"]
    assert jobs["deploy-staging"]["environment"]["name"] == "staging"
    assert jobs["deploy-production"]["environment"]["name"] == "production"
    assert "deploy-staging" in jobs["deploy-production"]["needs"]
    assert jobs["deploy-production"]["steps"][2]["env"]["EXPECTED_DIGEST"] == "${{ needs.build.outputs.digest }}"


@pytest.mark.parametrize("stack", STACKS)
def test_rollback_redeploys_an_earlier_artifact_by_digest(stack):
    data = workflow(stack)
    inputs = data["on"]["workflow_dispatch"]["inputs"]
    assert {"rollback_run_id", "rollback_digest", "rollback_environment"} <= set(inputs)
    assert inputs["rollback_environment"]["options"] == ["staging", "production"]
    rollback = data["jobs"]["rollback"]
    download = next(step for step in rollback["steps"] if "download-artifact" in step.get("uses", ""))
    assert download["with"]["run-id"] == "${{ inputs.rollback_run_id }}"
    verify = next(step for step in rollback["steps"] if step.get("name", "").startswith("Verify"))
    assert verify["env"]["EXPECTED_DIGEST"] == "${{ inputs.rollback_digest }}"
    # A rollback run must not rebuild: every build-side job is skipped when it is one.
    for name in ("quality", "sast", "dependencies", "build"):
        assert data["jobs"][name]["if"] == "${{ !inputs.rollback_run_id }}"


@pytest.mark.parametrize("stack", STACKS)
def test_every_action_is_pinned_to_a_full_commit_sha(stack):
    for job in workflow(stack)["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", step["uses"]), step["uses"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_pinned_sha_carries_its_version_in_a_comment(stack):
    text = load_template(stack).body
    for line in text.splitlines():
        if "uses:" in line:
            assert re.search(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line


@pytest.mark.parametrize("stack", STACKS)
def test_every_declared_placeholder_is_used(stack):
    template = load_template(stack)
    used = set(PLACEHOLDER_RE.findall(template.body))
    for placeholder in template.placeholders.values():
        used |= set(PLACEHOLDER_RE.findall(placeholder.default or ""))
    assert set(template.placeholders) == used


def test_set_value_reaches_every_use():
    data = workflow("go", MAIN_PACKAGE="./cmd/server", PRODUCTION_ENVIRONMENT="prod")
    build = steps_text(data["jobs"]["build"])
    assert "-o release/app ./cmd/server" in build  # BUILD_COMMAND's default uses MAIN_PACKAGE
    assert "-main ./cmd/server" in build  # and so does SBOM_COMMAND's
    assert data["jobs"]["deploy-production"]["environment"]["name"] == "prod"
    assert data["on"]["workflow_dispatch"]["inputs"]["rollback_environment"]["options"] == ["staging", "prod"]


def test_rendered_file_says_how_to_render_it_again():
    text = render_template(load_template("python"), {"TEST_COMMAND": "pytest -x tests"}).text
    assert text.splitlines()[1] == "#   flowops templates render python --set 'TEST_COMMAND=pytest -x tests'"
    assert "--- flowops template ---" not in text


def test_unknown_keys_are_refused_naming_them():
    with pytest.raises(UsageError) as caught:
        render_template(load_template("python"), {"PYTHON_VERSON": "3.13", "NOPE": "x"})
    assert "NOPE, PYTHON_VERSON" in caught.value.message
    assert "PYTHON_VERSION" in caught.value.hint


def test_assignments_need_key_equals_value():
    assert parse_assignments(["A=1", "B=x=y", "C="]) == {"A": "1", "B": "x=y", "C": ""}
    with pytest.raises(UsageError, match="KEY=VALUE"):
        parse_assignments(["A"])
    with pytest.raises(UsageError, match="line break"):
        parse_assignments(["A=one\ntwo"])


def test_value_that_breaks_the_yaml_is_refused():
    with pytest.raises(UsageError, match="not valid YAML") as caught:
        render_template(load_template("python"), {"PYTHON_VERSION": '3.12"\n  bad: ['})
    assert "PYTHON_VERSION" in caught.value.hint


def write_template(root: Path, body: str, placeholders: str) -> Path:
    folder = root / "github-actions"
    folder.mkdir(parents=True, exist_ok=True)
    header = "# --- flowops template ---\n# description: test\n# placeholders:\n" + placeholders
    (folder / "demo-ci-cd.yml").write_text(header + "# --- end flowops template ---\n" + body, encoding="utf-8")
    return root


JOBS = "jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: {run}\n"


def test_placeholder_without_value_is_reported_with_its_line(tmp_path: Path):
    root = write_template(tmp_path, "name: demo\n" + JOBS.format(run="echo {{TOKEN}}"), "#   TOKEN:\n#     help: a token\n")
    with pytest.raises(UsageError) as caught:
        render_template(load_template("demo", root))
    assert "TOKEN" in caught.value.message
    (problem,) = caught.value.problems
    assert (problem.path, problem.line, problem.field) == ("templates/github-actions/demo-ci-cd.yml", 12, "TOKEN")
    assert "--set TOKEN=VALUE" in problem.message
    rendered = render_template(load_template("demo", root), {"TOKEN": "t0"})
    assert "echo t0" in rendered.text


def test_undeclared_placeholder_is_unresolved(tmp_path: Path):
    root = write_template(tmp_path, JOBS.format(run="echo {{MISSING}}"), "")
    with pytest.raises(UsageError, match="unresolved placeholders in template 'demo': MISSING"):
        render_template(load_template("demo", root))


def test_github_expressions_are_not_placeholders(tmp_path: Path):
    root = write_template(tmp_path, JOBS.format(run="echo ${{ github.sha }} ${{SECRET}}"), "")
    assert "echo ${{ github.sha }} ${{SECRET}}" in render_template(load_template("demo", root)).text


def test_placeholders_referring_to_each_other_in_a_loop_are_reported(tmp_path: Path):
    declarations = '#   A:\n#     default: "{{B}}"\n#   B:\n#     default: "x {{A}}"\n'
    root = write_template(tmp_path, JOBS.format(run="echo {{A}}"), declarations)
    with pytest.raises(UsageError) as caught:
        render_template(load_template("demo", root))
    assert any("A -> B -> A" in problem.message for problem in caught.value.problems)


def test_unquoted_numeric_default_is_refused(tmp_path: Path):
    root = write_template(tmp_path, JOBS.format(run="echo"), "#   PY:\n#     default: 3.10\n")
    with pytest.raises(ConfigError, match="quoted string") as caught:
        load_template("demo", root)
    assert caught.value.line == 5


def test_template_without_declarations_is_refused(tmp_path: Path):
    (tmp_path / "github-actions").mkdir()
    (tmp_path / "github-actions" / "bare-ci-cd.yml").write_text(JOBS.format(run="echo"), encoding="utf-8")
    with pytest.raises(ConfigError, match="no placeholder declarations"):
        list_templates(tmp_path)


def test_bad_yaml_in_the_declarations_is_reported_at_its_file_line(tmp_path: Path):
    root = write_template(tmp_path, JOBS.format(run="echo"), "#   PY: [unclosed\n")
    with pytest.raises(ConfigError, match="invalid YAML") as caught:
        load_template("demo", root)
    assert caught.value.line in (4, 5)  # the broken line, or the end of the block where the parser gave up


def test_unknown_template_lists_the_available_ones():
    with pytest.raises(UsageError) as caught:
        load_template("rust")
    assert caught.value.hint == "available templates: dotnet, go, nodejs, python"

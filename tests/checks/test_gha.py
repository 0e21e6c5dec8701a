"""gha.* checks on workflows pinned by SHA and by tag, with and without permissions."""

from __future__ import annotations

from tests.checks.conftest import messages


def test_pinned_accepts_shas_and_names_tags_and_branches_skipping_local_and_docker(check):
    result = check("gha.pinned")
    assert messages(result) == [
        ".github/workflows/release.yml:11 job publish step 1: actions/checkout@v4 is pinned to the tag v4, not a full commit SHA",
        '.github/workflows/release.yml:18 job publish step "Publish chart": azure/setup-helm@main is pinned to the branch main, '
        "not a full commit SHA",
        ".github/workflows/release.yml:23 job notify: example/workflows/.github/workflows/notify.yml@v1 is pinned to the tag v1, "
        "not a full commit SHA",
    ]
    assert check("gha.pinned .github/workflows/ci.yml").status == "pass"


def test_permissions_at_the_top_or_on_every_job_and_never_write_all(check, tmp_path):
    assert messages(check("gha.permissions")) == [
        ".github/workflows/release.yml:2 workflow: no top-level permissions, and jobs publish, notify set none "
        "(the token gets the repository default)"]
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "a.yml").write_text("on: push\npermissions: write-all\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
                                     "    steps: [{run: 'true'}]\n")
    (workflows / "b.yaml").write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    permissions: {contents: read}\n"
                                      "    steps: [{run: 'true'}]\n")
    assert messages(check("gha.permissions", root=tmp_path)) == [
        ".github/workflows/a.yml:2 workflow: permissions: write-all grants the token every write scope"]


def test_sbom_and_provenance_are_found_in_actions_and_in_commands(check, tmp_path):
    assert messages(check("gha.sbom")) == [
        '.github/workflows/ci.yml:42 job image step "SBOM" uses anchore/sbom-action@df80a981bc6edbc4e220a492d3cbe9f5547a6e75']
    assert check("gha.provenance").status == "pass"
    assert check("gha.sbom .github/workflows/release.yml").status == "fail"
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "build.yml").write_text(
        "on: push\npermissions: {contents: read}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: |\n          docker buildx build --provenance=mode=max -t app .\n"
        "          syft app -o cyclonedx-json > sbom.cdx.json\n")
    assert [r.status for r in (check("gha.sbom", root=tmp_path), check("gha.provenance", root=tmp_path))] == ["pass", "pass"]
    assert "runs `syft app -o cyclonedx-json > sbom.cdx.json`" in messages(check("gha.sbom", root=tmp_path))[0]


def test_no_workflows_fails_every_gha_check(check, tmp_path):
    for name in ("gha.pinned", "gha.permissions", "gha.sbom", "gha.provenance"):
        assert check(name, root=tmp_path).status == "fail", name

def test_documents_can_be_created_listed_viewed_and_edited(repo, flowops):
    flowops("init demo")
    assert flowops('doc create "Runbook: High latency" -t guide -c "## Symptoms"').exit_code == 0
    assert flowops("doc list --plain").stdout == "doc-1 - Runbook: High latency\n"
    path = repo / "backlog/docs/doc-1 - Runbook-High-latency.md"
    before = path.read_text()
    assert "type: guide" in before and before.endswith("## Symptoms\n")
    assert flowops('doc edit doc-1 -c "## Symptoms\n\nSlow checkout."').stdout == "Updated document doc-1\n"
    after = path.read_text()
    assert after.endswith("## Symptoms\n\nSlow checkout.\n") and "updated_date:" in after
    assert flowops('doc edit 1 -c "## Symptoms\n\nSlow checkout."').stdout == "No change to document doc-1\n"
    assert flowops("doc view doc-9").exit_code == 1


def test_decisions_through_the_cli(repo, flowops):
    flowops("init demo")
    assert flowops('decision create "Use Postgres"').stdout.startswith("Created decision decision-1\n")
    assert flowops("decision list --plain").stdout == "decision-1 - Use Postgres (proposed)\n"
    assert "## Context" in flowops("decision view decision-1").stdout
    assert flowops("decision view 7").exit_code == 1

from flowops.events.matching import filter_matches, type_matches


def test_globs_select_event_types():
    assert type_matches(["deploy.*"], "deploy.completed")
    assert type_matches(["task.created", "workflow.*"], "workflow.transitioned")
    assert not type_matches(["deploy.*"], "task.created")
    assert not type_matches(["deploy.completed"], "deploy.completed.extra")


def test_equality_filter_compares_a_data_field():
    assert filter_matches({"spec_id": "checkout"}, {"spec_id": "checkout"})
    assert not filter_matches({"spec_id": "checkout"}, {"spec_id": "search"})
    assert not filter_matches({"spec_id": "checkout"}, {})


def test_any_filter_needs_one_shared_value():
    assert filter_matches({"labels_any": ["infrastructure", "ops"]}, {"labels": ["ops", "backend"]})
    assert filter_matches({"status_any": ["Done", "Deployed"]}, {"status": "Done"})
    assert not filter_matches({"labels_any": ["infrastructure"]}, {"labels": ["backend"]})
    assert not filter_matches({"labels_any": ["infrastructure"]}, {"title": "x"})


def test_all_filter_needs_every_value():
    assert filter_matches({"labels_all": ["a", "b"]}, {"labels": ["b", "c", "a"]})
    assert not filter_matches({"labels_all": ["a", "b"]}, {"labels": ["a"]})


def test_every_condition_must_hold():
    filters = {"labels_any": ["ops"], "spec_id": "checkout"}
    assert filter_matches(filters, {"labels": ["ops"], "spec_id": "checkout"})
    assert not filter_matches(filters, {"labels": ["ops"], "spec_id": "search"})

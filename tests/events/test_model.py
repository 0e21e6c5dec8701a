import re
from datetime import datetime

import pytest

import flowops
from flowops.errors import UsageError
from flowops.events.model import Event, check_event_name, new_event_id, utc_now


def test_flowops_event_is_the_cloudevents_envelope():
    event = flowops.Event(type="deploy.completed", source="flowops:/shop", id="01X", time="2024-05-01T12:00:00.000Z",
                          subject="TASK-12", data={"spec_id": "checkout"})
    assert event.to_dict() == {
        "specversion": "1.0",
        "id": "01X",
        "source": "flowops:/shop",
        "type": "deploy.completed",
        "time": "2024-05-01T12:00:00.000Z",
        "subject": "TASK-12",
        "datacontenttype": "application/json",
        "data": {"spec_id": "checkout"},
    }


def test_event_round_trips_through_its_json_form():
    event = Event("git.commit", "flowops:/r", new_event_id(), utc_now(), None, {"sha": "abc"})
    again = Event.from_dict(event.to_dict())
    assert again == event
    assert "subject" not in event.to_dict()


def test_from_dict_refuses_a_document_that_is_not_an_event():
    with pytest.raises(ValueError, match="missing id"):
        Event.from_dict({"specversion": "1.0", "source": "x", "type": "a.b"})


@pytest.mark.parametrize("name", ["deploy.completed", "task.ac_checked", "a.b.c", "x1.y_2"])
def test_dotted_lower_case_names_are_valid(name):
    assert check_event_name(name) == name


@pytest.mark.parametrize("name", ["deploy", "Deploy.completed", "deploy.", ".deploy", "deploy..x", "deploy-completed.x", "a.b c", ""])
def test_other_names_are_usage_errors(name):
    with pytest.raises(UsageError) as info:
        check_event_name(name)
    assert info.value.exit_code == 2


def test_ids_are_unique_and_sort_by_creation_time():
    ids = [new_event_id() for _ in range(500)]
    assert len(set(ids)) == 500
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", i) for i in ids)
    later = new_event_id()
    assert later[:10] >= ids[0][:10]  # the first 10 characters are the millisecond timestamp


def test_time_is_rfc3339_utc():
    stamp = utc_now()
    assert stamp.endswith("Z")
    assert datetime.fromisoformat(stamp.replace("Z", "+00:00")).utcoffset().total_seconds() == 0


def test_an_event_origin_is_appended_to_the_source_within_its_block(tmp_path):
    from flowops.events.model import default_source, event_origin
    from flowops.project import Project

    (tmp_path / "shop").mkdir()
    project = Project(tmp_path / "shop")
    assert default_source(project) == "flowops:/shop"
    with event_origin("mcp"):
        assert default_source(project) == "flowops:/shop/mcp"
    assert default_source(project) == "flowops:/shop"
    (project.root / ".flowops").mkdir()
    (project.root / ".flowops" / "config.toml").write_text('[events]\nsource = "https://ops.example.com/shop/"\n')
    configured = Project(project.root)
    with event_origin("mcp"):
        assert default_source(configured) == "https://ops.example.com/shop/mcp"


def test_an_event_origin_is_one_lower_case_word():
    from flowops.events.model import event_origin

    with pytest.raises(ValueError, match="lower-case word"), event_origin("../x"):
        pass

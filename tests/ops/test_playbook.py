import pytest

from flowops.errors import ConfigError, UsageError
from flowops.hookspecs import hookimpl
from flowops.ops.playbook import Playbook, PlaybookItem, collect_playbooks, item_problems, select_items

GOOD_ITEM = PlaybookItem(
    key="security:pentest",
    title="Penetration test for {feature} ({feature_id})",
    area="security",
    description="An outside team tries to break in before launch.",
    criteria=("The pentest report in docs/security/pentest.md lists 0 open high-severity findings",),
)


class Registers:
    """A third-party plugin registering the given objects."""

    def __init__(self, *registered):
        self.registered = registered

    @hookimpl
    def register_playbooks(self, register):
        for item in self.registered:
            register(item)


def playbook(name="security", *items, description="Security readiness"):
    return Playbook(name=name, description=description, items=items or (GOOD_ITEM,))


def test_the_builtin_playbooks_are_collected_with_the_plugin_that_gives_them(plugins_with):
    playbooks = collect_playbooks(plugins_with())
    assert {name: pb.plugin for name, pb in playbooks.items()} == {"sre": "sre", "mlops": "mlops"}


def test_a_third_party_playbook_is_collected_next_to_the_builtins(plugins_with):
    playbooks = collect_playbooks(plugins_with(acme=Registers(playbook())))
    assert set(playbooks) == {"sre", "mlops", "security"}
    assert playbooks["security"].plugin == "acme"
    assert playbooks["security"].items == (GOOD_ITEM,)


def test_the_same_playbook_name_from_two_plugins_names_both(plugins_with):
    with pytest.raises(ConfigError) as info:
        collect_playbooks(plugins_with(acme=Registers(playbook("sre"))))
    message = info.value.message
    assert "'sre'" in message and "plugin 'sre'" in message and "plugin 'acme'" in message


@pytest.mark.parametrize(
    "bad_item, problem",
    [
        (PlaybookItem("Bad Key", "T", "cicd", "d", ("c 1",)), "key 'Bad Key'"),
        (PlaybookItem("k", "T {service}", "cicd", "d", ("c 1",)), "unknown placeholder(s) {service}"),
        (PlaybookItem("k", "T {feature", "cicd", "d", ("c 1",)), "not a valid template"),
        (PlaybookItem("k", "T", "cicd", "d", ()), "criteria must be a non-empty list"),
        (PlaybookItem("k", "T", "cicd", "d", ("ok 1", " ")), "criterion #2 must be a non-empty string"),
        (PlaybookItem("k", "T", "cicd", "d", ("two\nlines",)), "criterion #1 must be a single line"),
        (PlaybookItem("k", "", "cicd", "d", ("c 1",)), "title must be a non-empty string"),
        (PlaybookItem("k", "T", "Ops Area", "d", ("c 1",)), "area 'Ops Area'"),
        ({"key": "k"}, "item is a dict"),
        (PlaybookItem("k", "T", "cicd", "d", ("c 1",), {"on-friday": ("c 2",)}), "unknown fact 'on-friday'"),
        (PlaybookItem("k", "T", "cicd", "d", ("c 1",), {"slo-specs": ()}), "k' when slo-specs: criteria must be"),
        (PlaybookItem("k", "T", "cicd", "d", ("c 1",), {"slo-specs": ("x `verify: Bad Name`",)}),
         "when slo-specs: criterion #1"),
    ],
)
def test_a_malformed_item_is_refused_naming_the_plugin_and_the_problem(plugins_with, bad_item, problem):
    with pytest.raises(ConfigError) as info:
        collect_playbooks(plugins_with(acme=Registers(playbook("security", GOOD_ITEM, bad_item))))
    error = info.value
    assert "plugin 'acme'" in error.message and "'security'" in error.message
    assert any(problem in p.message for p in error.problems), [p.message for p in error.problems]


def test_two_items_with_one_key_in_a_playbook_are_refused(plugins_with):
    with pytest.raises(ConfigError) as info:
        collect_playbooks(plugins_with(acme=Registers(playbook("security", GOOD_ITEM, GOOD_ITEM))))
    assert any("'security:pentest' is used by two items" in p.message for p in info.value.problems)


@pytest.mark.parametrize(
    "registered, problem",
    [
        ({"name": "x"}, "registered a dict, expected flowops.ops.playbook.Playbook"),
        (Playbook("Has Space", "d", (GOOD_ITEM,)), "name 'Has Space'"),
        (Playbook("empty", "d", ()), "items must be a non-empty list"),
        (Playbook("nodesc", "", (GOOD_ITEM,)), "description must be a non-empty string"),
    ],
)
def test_a_malformed_playbook_is_refused(plugins_with, registered, problem):
    with pytest.raises(ConfigError) as info:
        collect_playbooks(plugins_with(acme=Registers(registered)))
    assert "plugin 'acme'" in info.value.message
    assert any(problem in p.message for p in info.value.problems)


def test_a_plugin_that_raises_is_recorded_and_the_others_still_register(plugins_with):
    class Broken:
        @hookimpl
        def register_playbooks(self, register):
            raise RuntimeError("no config")

    plugins = plugins_with(broken=Broken(), acme=Registers(playbook()))
    playbooks = collect_playbooks(plugins)
    assert set(playbooks) == {"sre", "mlops", "security"}
    assert [(f.plugin, f.hook) for f in plugins.failures] == [("broken", "register_playbooks")]


def test_lists_are_accepted_for_items_and_criteria_and_stored_as_tuples():
    item = PlaybookItem("k", "T", "cicd", "d", ["a 1", "b 2"])
    book = Playbook("p", "d", [item])
    assert item.criteria == ("a 1", "b 2") and book.items == (item,)
    assert item_problems(item) == []
    hash(book)  # frozen and hashable, as a registry value should be


def test_criteria_when_a_fact_holds_replace_the_others_and_the_item_stays_hashable():
    item = PlaybookItem("slo", "T", "monitoring", "d", ["plain 1"], {"slo-specs": ["bound 1 `verify: slo.rules`"]})
    assert item.criteria_when == (("slo-specs", ("bound 1 `verify: slo.rules`",)),) and item_problems(item) == []
    hash(item)
    assert item.for_facts(set()) is item
    tailored = item.for_facts({"slo-specs"})
    assert tailored.criteria == ("bound 1 `verify: slo.rules`",) and tailored.key == item.key
    assert tailored.criteria_when == ()


def test_an_item_title_renders_feature_and_id_and_its_label_is_the_key():
    assert GOOD_ITEM.render_title("Checkout", "TASK-12") == "Penetration test for Checkout (TASK-12)"
    assert GOOD_ITEM.label == "ops:security:pentest"


def test_selecting_playbooks_gives_their_items_in_order_once(plugins_with):
    playbooks = collect_playbooks(plugins_with(acme=Registers(playbook())))
    selected = select_items(playbooks, ["security", "sre", "security"])
    assert [item.key for _pb, item in selected] == ["security:pentest", "cicd", "kubernetes", "observability", "slo"]
    assert {pb.name for pb, _item in selected} == {"security", "sre"}


def test_selecting_an_unknown_playbook_lists_the_known_ones(plugins_with):
    with pytest.raises(UsageError) as info:
        select_items(collect_playbooks(plugins_with()), ["sre", "nope"])
    assert "unknown playbook 'nope'" in info.value.message and "mlops, sre" in info.value.hint


def test_two_selected_playbooks_with_the_same_item_key_are_refused(plugins_with):
    clash = playbook("fast-sre", PlaybookItem("cicd", "Quick CI for {feature}", "cicd", "d", ("`make ci` passes",)))
    playbooks = collect_playbooks(plugins_with(acme=Registers(clash)))
    assert len(select_items(playbooks, ["fast-sre"])) == 1
    with pytest.raises(ConfigError) as info:
        select_items(playbooks, ["sre", "fast-sre"])
    message = info.value.message
    assert "'sre' (plugin 'sre')" in message and "'fast-sre' (plugin 'acme')" in message and "'cicd'" in message


def test_an_item_binds_a_criterion_to_a_check_with_bound():
    from flowops.checks.binding import find_binding
    from flowops.ops.playbook import bound

    criterion = bound("An autoscaler keeps 3 replicas of the API", "k8s.hpa --min 3 deploy/api/")
    assert criterion == "An autoscaler keeps 3 replicas of the API `verify: k8s.hpa --min 3 deploy/api/`"
    assert find_binding(criterion).words == ("k8s.hpa", "--min", "3", "deploy/api/")
    item = PlaybookItem("api:scaling", "Scaling for {feature}", "kubernetes", "d", (criterion,))
    assert item_problems(item) == []


def test_an_unreadable_binding_in_a_playbook_item_is_a_problem():
    item = PlaybookItem("api:scaling", "Scaling for {feature}", "kubernetes", "d", ("Scales `verify: k8s.hpa --min '3`",))
    (problem,) = item_problems(item)
    assert problem.startswith("item 'api:scaling': criterion #1: cannot read the check")

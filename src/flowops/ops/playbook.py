"""Playbooks: named sets of operations tasks that ``flowops operate`` creates for a feature.

A playbook is contributed by a plugin through the ``register_playbooks`` hook (the
built-in ``sre`` and ``mlops`` playbooks are plugins too). Each item has a stable key;
the task created from it carries the label ``ops:<key>``, which is how a later run finds
the task again even after it was renamed or moved.

An item binds a criterion to a check by writing it with ``bound(text, check)``: the
criterion then ends in a ``verify:`` span, and ``flowops ac verify`` and the completion
gate judge it by the check's evidence instead of its tick.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from flowops.errors import ConfigError, Problem, UsageError

if TYPE_CHECKING:
    from flowops.plugins import Plugins

# Keys end up in a Backlog.md label (``ops:<key>``): no spaces, commas or upper case.
_KEY = re.compile(r"[a-z0-9](?:[a-z0-9._:-]*[a-z0-9])?")
_NAME = re.compile(r"[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?")
TITLE_FIELDS = ("feature", "feature_id")
KEY_LABEL_PREFIX = "ops:"
# What `flowops operate` knows about a repository, for criteria that depend on it
# (``PlaybookItem.criteria_when``).
SLO_SPECS = "slo-specs"
FACTS = {SLO_SPECS: "the repository has SLO specs (Sloth or OpenSLO) that `flowops slo` reads"}


@dataclass(frozen=True)
class PlaybookItem:
    """One operations task a playbook asks for.

    ``title`` may contain ``{feature}`` (the feature task's title) and ``{feature_id}``.
    Lists given for ``criteria`` are stored as tuples so that items stay hashable.

    ``criteria_when`` maps a fact about the repository (``FACTS``: ``"slo-specs"``) to
    the criteria used instead of ``criteria`` when ``flowops operate`` finds it true, so
    a criterion can be bound to a check that only such a repository can pass (the sre
    playbook's SLO item binds ``slo.rules`` when there are SLO specs). Given as a mapping,
    it is stored as ``(fact, criteria)`` pairs.
    """

    key: str
    title: str
    area: str
    description: str
    criteria: tuple[str, ...] = field(default_factory=tuple)
    criteria_when: tuple[tuple[str, tuple[str, ...]], ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if isinstance(self.criteria, list):
            object.__setattr__(self, "criteria", tuple(self.criteria))
        when: Any = self.criteria_when
        if isinstance(when, dict):
            when = tuple(when.items())
        if isinstance(when, (list, tuple)):
            # Lists become tuples (hashable); malformed entries are kept for item_problems to name.
            when = tuple((entry[0], tuple(entry[1])) if isinstance(entry, (list, tuple)) and len(entry) == 2
                         and isinstance(entry[1], list) else entry for entry in when)
        object.__setattr__(self, "criteria_when", when)

    def for_facts(self, facts: Iterable[str]) -> PlaybookItem:
        """This item with the criteria for ``facts`` (the first fact of ``criteria_when`` that holds), else itself."""
        holding = set(facts)
        for fact, criteria in self.criteria_when:
            if fact in holding:
                return replace(self, criteria=tuple(criteria), criteria_when=())
        return self

    @property
    def label(self) -> str:
        """The stable key label, e.g. ``ops:cicd`` or ``ops:runbook:high-latency``."""
        return KEY_LABEL_PREFIX + self.key

    def render_title(self, feature: str, feature_id: str) -> str:
        """The task title for one feature (placeholders filled in)."""
        return self.title.format(feature=feature, feature_id=feature_id)


@dataclass(frozen=True)
class Playbook:
    """A named set of items; ``plugin`` is filled in by ``collect_playbooks``."""

    name: str
    description: str
    items: tuple[PlaybookItem, ...]
    plugin: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.items, list):
            object.__setattr__(self, "items", tuple(self.items))


def bound(text: str, check: str) -> str:
    """A playbook criterion bound to ``check`` (``"k8s.hpa --min 2"``): ``text `verify: k8s.hpa --min 2```.

    Use it for the criteria a machine can decide; the others stay plain text (manual).
    """
    import shlex

    from flowops.checks.binding import bind

    return bind(text, shlex.split(check))


def item_problems(item: Any) -> list[str]:
    """What is wrong with one playbook item (empty when it is well formed)."""
    if not isinstance(item, PlaybookItem):
        return [f"item is a {type(item).__name__}, expected flowops.ops.playbook.PlaybookItem"]
    problems = []
    if not isinstance(item.key, str) or not _KEY.fullmatch(item.key):
        problems.append(f"key {item.key!r} must be lower-case letters, digits and . _ : - (it becomes the label 'ops:<key>')")
    where = f"item '{item.key}'"
    for name in ("title", "area", "description"):
        value = getattr(item, name)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: {name} must be a non-empty string")
    if isinstance(item.area, str) and item.area.strip() and not _NAME.fullmatch(item.area):
        problems.append(f"{where}: area {item.area!r} must be lower-case letters, digits, - and _ (it becomes a label)")
    if isinstance(item.title, str):
        problem = _title_problem(item.title)
        if problem:
            problems.append(f"{where}: {problem}")
    problems.extend(_criteria_problems(item.criteria, where))
    if not isinstance(item.criteria_when, tuple):
        problems.append(f"{where}: criteria_when must be a mapping of fact -> criteria")
        return problems
    for entry in item.criteria_when:
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str)):
            problems.append(f"{where}: criteria_when must be a mapping of fact -> criteria")
            continue
        fact, criteria = entry
        if fact not in FACTS:
            problems.append(f"{where}: criteria_when: unknown fact {fact!r} (known: {', '.join(sorted(FACTS))})")
        problems.extend(_criteria_problems(criteria, f"{where} when {fact}"))
    return problems


def _criteria_problems(criteria: Any, where: str) -> list[str]:
    if not isinstance(criteria, tuple) or not criteria:
        return [f"{where}: criteria must be a non-empty list of strings"]
    problems = []
    for number, criterion in enumerate(criteria, 1):
        if not isinstance(criterion, str) or not criterion.strip():
            problems.append(f"{where}: criterion #{number} must be a non-empty string")
        elif "\n" in criterion:
            problems.append(f"{where}: criterion #{number} must be a single line")
        else:
            problems.extend(f"{where}: criterion #{number}: {p}" for p in _binding_problems(criterion))
    return problems


def _binding_problems(criterion: str) -> list[str]:
    from flowops.checks.binding import BindingError, find_binding

    try:
        find_binding(criterion)
    except BindingError as exc:
        return [str(exc)]
    return []


def _title_problem(title: str) -> str | None:
    try:
        fields = [name for _text, name, _spec, _conv in string.Formatter().parse(title) if name is not None]
    except ValueError as exc:
        return f"title {title!r} is not a valid template ({exc}); write literal braces as {{{{ and }}}}"
    unknown = sorted({name for name in fields if name not in TITLE_FIELDS})
    if unknown:
        names = ", ".join("{" + name + "}" for name in unknown)
        return f"title {title!r} uses unknown placeholder(s) {names}; known: {{feature}}, {{feature_id}}"
    return None


def playbook_problems(playbook: Any) -> list[str]:
    """What is wrong with a registered playbook (empty when it is well formed)."""
    if not isinstance(playbook, Playbook):
        return [f"registered a {type(playbook).__name__}, expected flowops.ops.playbook.Playbook"]
    problems = []
    if not isinstance(playbook.name, str) or not _NAME.fullmatch(playbook.name):
        problems.append(f"name {playbook.name!r} must be lower-case letters, digits, - and _")
    if not isinstance(playbook.description, str) or not playbook.description.strip():
        problems.append("description must be a non-empty string")
    if not isinstance(playbook.items, tuple) or not playbook.items:
        problems.append("items must be a non-empty list of PlaybookItem")
        return problems
    seen: set[str] = set()
    for item in playbook.items:
        problems.extend(item_problems(item))
        key = getattr(item, "key", None)
        if isinstance(key, str):
            if key in seen:
                problems.append(f"key '{key}' is used by two items")
            seen.add(key)
    return problems


def collect_playbooks(plugins: Plugins) -> dict[str, Playbook]:
    """Every playbook registered through ``register_playbooks``, by name, with its plugin.

    A malformed playbook, or two plugins registering the same name, is a ConfigError
    naming the plugin(s): a playbook that silently replaced another would create the
    wrong tasks.
    """
    playbooks: dict[str, Playbook] = {}
    for plugin_name, registered in plugins.collect("register_playbooks", with_plugin=True):
        problems = playbook_problems(registered)
        if problems:
            name = getattr(registered, "name", None)
            what = f"playbook '{name}'" if isinstance(name, str) else "a playbook"
            raise ConfigError(
                f"plugin '{plugin_name}' registered {what} that is malformed",
                problems=[Problem(p) for p in problems],
                hint="fix the plugin's register_playbooks, or disable it with FLOWOPS_DISABLE_PLUGINS",
            )
        if registered.name in playbooks:
            first = playbooks[registered.name].plugin
            raise ConfigError(
                f"playbook '{registered.name}' is registered by both plugin '{first}' and plugin '{plugin_name}'",
                hint="rename one of them, or disable one plugin with FLOWOPS_DISABLE_PLUGINS",
            )
        playbooks[registered.name] = Playbook(registered.name, registered.description, registered.items, plugin_name)
    return playbooks


def select_items(playbooks: dict[str, Playbook], names: Iterable[str]) -> list[tuple[Playbook, PlaybookItem]]:
    """The items of the playbooks named, in order; each item key at most once.

    An unknown name is a UsageError listing the known ones. Two selected playbooks
    with an item of the same key would fight over one task: ConfigError naming both.
    """
    selected: list[tuple[Playbook, PlaybookItem]] = []
    owner: dict[str, Playbook] = {}
    for name in dict.fromkeys(names):
        if name not in playbooks:
            known = ", ".join(sorted(playbooks)) or "none"
            raise UsageError(f"unknown playbook '{name}'", hint=f"known playbooks: {known} (see `flowops playbooks list`)")
        playbook = playbooks[name]
        for item in playbook.items:
            if item.key in owner:
                other = owner[item.key]
                raise ConfigError(
                    f"playbooks '{other.name}' (plugin '{other.plugin}') and '{playbook.name}' (plugin '{playbook.plugin}') "
                    f"both define item '{item.key}'",
                    hint="select only one of them, or give one item another key",
                )
            owner[item.key] = playbook
            selected.append((playbook, item))
    return selected

"""Every hookspec is documented in docs/plugins.md and implemented by at least one test plugin.

How "has a test" is decided: the test suite is parsed (not imported) and every function
decorated with ``hookimpl`` (``@hookimpl``, ``@flowops.hookimpl``, with or without
arguments, ``specname=`` honoured) counts as a test implementation of its hook. A hook
implementation only exists in tests/ to be registered with a plugin manager and called,
so a hookspec that no test implements is a hook whose calling no test proves. The same
scan catches the opposite mistake: a test plugin whose hook name matches no hookspec
(pluggy would register it and never call it, and the test would pass for nothing).
"""

from __future__ import annotations

import ast
import functools
import inspect
import re
from collections import defaultdict
from pathlib import Path

from flowops import hookspecs

ROOT = Path(__file__).resolve().parent.parent
PLUGINS_DOC = ROOT / "docs" / "plugins.md"
TESTS = ROOT / "tests"

# "## `check_transition(task, from_state, to_state, workflow)`" (backticks optional)
HOOK_HEADING = re.compile(r"^## `?(?P<name>\w+)\((?P<args>[^)]*)\)`?[ \t]*$", re.MULTILINE)


def hookspec_arguments() -> dict[str, list[str]]:
    """Each hookspec's name -> its argument names."""
    marker = f"{hookspecs.PROJECT_NAME}_spec"
    return {
        name: list(inspect.signature(function).parameters)
        for name, function in vars(hookspecs).items()
        if callable(function) and hasattr(function, marker)
    }


def documented_hooks(text: str) -> dict[str, list[str]]:
    """Hook sections of a page: name -> the argument names given in the heading."""
    return {
        match["name"]: [arg.strip() for arg in match["args"].split(",") if arg.strip()]
        for match in HOOK_HEADING.finditer(text)
    }


@functools.cache
def hookimpls_in(folder: Path) -> dict[str, dict[str, list[str]]]:
    """Hook name -> {file relative to ``folder``: [function names]} for every @hookimpl under ``folder``.

    Functions marked ``optionalhook=True`` are left out: they may name hooks of other versions.
    """
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for decorator in node.decorator_list:
                hook = _hook_name(node.name, decorator)
                if hook is not None:
                    found[hook][path.relative_to(folder).as_posix()].append(node.name)
    return found


def _hook_name(function_name: str, decorator: ast.expr) -> str | None:
    target, keywords = (decorator.func, decorator.keywords) if isinstance(decorator, ast.Call) else (decorator, [])
    name = target.id if isinstance(target, ast.Name) else target.attr if isinstance(target, ast.Attribute) else None
    if name != "hookimpl":
        return None
    options = {kw.arg: kw.value.value for kw in keywords if isinstance(kw.value, ast.Constant)}
    if options.get("optionalhook"):
        return None
    return options.get("specname") or function_name


def test_the_hookspecs_are_found():
    # A guard for the tests below: they prove nothing if no hookspec is seen.
    specs = hookspec_arguments()
    assert {"register_commands", "on_event", "check_transition"} <= set(specs)
    assert specs["check_transition"] == ["task", "from_state", "to_state", "workflow"]


def test_every_hookspec_has_a_documented_section_with_its_arguments():
    documented = documented_hooks(PLUGINS_DOC.read_text(encoding="utf-8"))
    for name, arguments in hookspec_arguments().items():
        assert name in documented, f"docs/plugins.md has no '## `{name}({', '.join(arguments)})`' section"
        assert documented[name] == arguments, f"docs/plugins.md documents {name}({', '.join(documented[name])})"


def test_every_documented_hook_is_a_hookspec():
    documented = documented_hooks(PLUGINS_DOC.read_text(encoding="utf-8"))
    stale = sorted(set(documented) - set(hookspec_arguments()))
    assert not stale, f"docs/plugins.md documents hooks that flowops.hookspecs does not define: {stale}"


def test_every_hookspec_is_implemented_by_a_test_plugin():
    implemented = hookimpls_in(TESTS)
    untested = sorted(set(hookspec_arguments()) - set(implemented))
    assert not untested, f"no @hookimpl under tests/ implements {untested}: add a test that registers and calls it"


def test_every_hookimpl_in_the_tests_names_a_hookspec():
    specs = hookspec_arguments()
    unknown = {hook: dict(files) for hook, files in hookimpls_in(TESTS).items() if hook not in specs}
    assert not unknown, f"@hookimpl functions in tests/ that match no hookspec (never called): {unknown}"


def test_the_scan_recognises_every_way_of_marking_a_hook(tmp_path):
    (tmp_path / "test_sample.py").write_text(
        "import flowops\n"
        "from flowops import hookimpl\n\n"
        "@hookimpl\ndef on_event(event): pass\n\n"
        "class Guard:\n"
        "    @flowops.hookimpl\n    def check_transition(self, task): pass\n\n"
        "    @flowops.hookimpl(specname='lint_criterion')\n    def lint(self, text): pass\n\n"
        "    @hookimpl(optionalhook=True)\n    def from_the_future(self): pass\n\n"
        "@other\ndef register_commands(cli): pass\n\n"
        "SOURCE = '@hookimpl\\ndef register_playbooks(register): pass'\n",
        encoding="utf-8",
    )
    found = hookimpls_in(tmp_path)
    assert {hook: dict(files) for hook, files in found.items()} == {
        "on_event": {"test_sample.py": ["on_event"]},
        "check_transition": {"test_sample.py": ["check_transition"]},
        "lint_criterion": {"test_sample.py": ["lint"]},
    }


def test_a_heading_is_read_as_a_hook_section_only_when_it_has_the_call_form():
    text = "## `on_event(event)`\n## register_commands(cli)\n## Loading and filtering\n### `lint_criterion(text)`\n"
    assert documented_hooks(text) == {"on_event": ["event"], "register_commands": ["cli"]}

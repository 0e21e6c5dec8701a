"""CI/CD workflow templates with ``{{NAME}}`` placeholders.

Each template declares its placeholders, with a default and a one-line help, in one
block of comments at the top of the file::

    # --- flowops template ---
    # description: CI/CD for a Python package
    # placeholders:
    #   PYTHON_VERSION:
    #     default: "3.12"
    #     help: Python version used by every job
    # --- end flowops template ---

A placeholder is ``{{NAME}}`` (upper case, digits, underscores); GitHub's own
``${{ expression }}`` syntax is left alone. Rendering replaces the declaration block by
a note saying how to render the file again, and refuses unknown keys, placeholders
without a value and results that are no longer valid YAML.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from flowops.errors import ConfigError, FlowopsError, Location, Problem, UsageError

BEGIN_MARKER = "# --- flowops template ---"
END_MARKER = "# --- end flowops template ---"
TEMPLATE_FOLDER = "github-actions"
NAME_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
# `(?<!\$)`: `${{ github.sha }}` is a GitHub expression, not ours.
PLACEHOLDER_RE = re.compile(r"(?<!\$)\{\{\s*([^{}]*?)\s*\}\}")


@dataclass(frozen=True)
class Placeholder:
    name: str
    default: str | None
    help: str

    def to_dict(self) -> dict:
        return {"name": self.name, "default": self.default, "help": self.help}


@dataclass(frozen=True)
class Template:
    """One template file, its declared placeholders and the workflow text below them."""

    name: str  # "python"
    file: str  # "github-actions/python-ci-cd.yml", relative to the templates folder
    description: str
    placeholders: dict[str, Placeholder]
    body: str
    body_line: int  # line of the file where ``body`` starts

    @property
    def filename(self) -> str:
        return self.file.rsplit("/", 1)[-1]

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "file": f"templates/{self.file}",
            "description": self.description,
            "placeholders": [placeholder.to_dict() for placeholder in self.placeholders.values()],
        }


@dataclass(frozen=True)
class Rendered:
    template: Template
    text: str
    values: dict[str, str] = field(default_factory=dict)  # every placeholder's final value
    overrides: dict[str, str] = field(default_factory=dict)  # what --set changed


def templates_root() -> Path:
    from flowops.resources import data_dir

    try:
        return data_dir("templates")
    except FileNotFoundError as exc:
        raise FlowopsError(str(exc), hint="reinstall flowops") from None


def list_templates(root: Path | None = None) -> list[Template]:
    """Every template under ``root``/github-actions, sorted by name."""
    root = root or templates_root()
    folder = root / TEMPLATE_FOLDER
    if not folder.is_dir():
        return []
    return [load_template_file(root, file) for file in sorted(folder.glob("*.yml"))]


def load_template(name: str, root: Path | None = None) -> Template:
    """The template called ``name`` (``python``); UsageError listing the others when unknown."""
    templates = list_templates(root)
    for template in templates:
        if template.name == name:
            return template
    known = ", ".join(template.name for template in templates) or "none"
    raise UsageError(f"unknown template '{name}'", hint=f"available templates: {known}")


def load_template_file(root: Path, file: Path) -> Template:
    rel = file.relative_to(root).as_posix()
    shown = f"templates/{rel}"
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=shown) from None
    description, placeholders, body, body_line = _parse_declarations(text, shown)
    name = file.stem.removesuffix("-ci-cd")
    return Template(name, rel, description, placeholders, body, body_line)


def _parse_declarations(text: str, shown: str) -> tuple[str, dict[str, Placeholder], str, int]:
    from flowops.yamlfile import load_yaml

    lines = text.splitlines(keepends=True)
    try:
        begin = next(i for i, line in enumerate(lines) if line.strip() == BEGIN_MARKER)
        end = next(i for i, line in enumerate(lines) if i > begin and line.strip() == END_MARKER)
    except StopIteration:
        raise ConfigError(
            "no placeholder declarations",
            path=shown,
            hint=f"declare placeholders between '{BEGIN_MARKER}' and '{END_MARKER}' comment lines",
        ) from None
    if any(line.strip() for line in lines[:begin]):
        raise ConfigError("the placeholder declarations must open the file", path=shown, line=begin + 1)
    block = []
    for index in range(begin + 1, end):
        line = lines[index]
        if not line.lstrip().startswith("#"):
            raise ConfigError("every line of the declaration block must be a comment", path=shown, line=index + 1)
        content = line.lstrip()[1:]
        block.append(content[1:] if content.startswith(" ") else content)
    first = begin + 2  # file line of the block's first YAML line
    try:
        data, locations = load_yaml("".join(block), shown)
    except ConfigError as exc:
        if exc.line is not None:
            exc.line += first - 1
        raise

    def line_of(*path) -> int | None:
        found = locations.line(*path)
        return found + first - 1 if found is not None else None

    if not isinstance(data, dict) or not isinstance(data.get("description"), str):
        raise ConfigError("the declaration block needs a 'description' string", path=shown, line=first, field="description")
    raw = data.get("placeholders") or {}
    if not isinstance(raw, dict):
        raise ConfigError("'placeholders' must map NAME to {default, help}", path=shown, line=line_of("placeholders"))
    placeholders: dict[str, Placeholder] = {}
    for name, spec in raw.items():
        where: Location = {"path": shown, "line": line_of("placeholders", name), "field": f"placeholders.{name}"}
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise ConfigError(f"placeholder name {name!r} must be upper case letters, digits and underscores", **where)
        if not isinstance(spec, dict) or set(spec) - {"default", "help"}:
            raise ConfigError("a placeholder takes 'default' (a string) and 'help'", **where)
        default = spec.get("default")
        if default is not None and not isinstance(default, str):
            # 3.10 written unquoted would silently become 3.1: insist on strings.
            where["line"], where["field"] = line_of("placeholders", name, "default"), f"placeholders.{name}.default"
            raise ConfigError(f"default of {name} must be a quoted string, not {default!r}", **where)
        placeholders[name] = Placeholder(name, default, str(spec.get("help") or ""))
    return data["description"], placeholders, "".join(lines[end + 1 :]), end + 2


def parse_assignments(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["KEY=VALUE", ...]`` -> dict; UsageError for a pair without ``=`` or with a newline."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"--set expects KEY=VALUE, got '{pair}'")
        if "\n" in value or "\r" in value:
            raise UsageError(f"the value of {key} contains a line break", hint="put multi-line commands in a script and call it")
        values[key] = value
    return values


def render_template(template: Template, overrides: dict[str, str] | None = None) -> Rendered:
    """Fill ``template`` with its defaults and ``overrides``; raise UsageError naming what is wrong."""
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(template.placeholders))
    if unknown:
        known = ", ".join(template.placeholders)
        raise UsageError(
            f"unknown placeholder{'s' if len(unknown) > 1 else ''} for template '{template.name}': {', '.join(unknown)}",
            hint=f"known placeholders: {known}",
        )
    raw = {name: placeholder.default for name, placeholder in template.placeholders.items()}
    raw.update(overrides)
    expander = _Expander(template, raw)
    body = expander.expand(template.body, template.body_line)
    if expander.problems:
        names = sorted({p.field or p.message for p in expander.problems})
        raise UsageError(
            f"unresolved placeholders in template '{template.name}': {', '.join(names)}", problems=expander.problems
        )
    text = _rendered_note(template, overrides) + body
    _check_yaml(text, template, overrides)
    return Rendered(template, text, expander.resolved, overrides)


class _Expander:
    """Replaces placeholders in the body and in values (a default may use another placeholder)."""

    def __init__(self, template: Template, raw: dict[str, str | None]) -> None:
        self.template = template
        self.raw = raw
        self.resolved: dict[str, str] = {}
        self.problems: list[Problem] = []
        self.shown = f"templates/{template.file}"

    def expand(self, text: str, first_line: int | None, chain: tuple[str, ...] = ()) -> str:
        def replace(match: re.Match) -> str:
            name = match.group(1)
            line = first_line + text.count("\n", 0, match.start()) if first_line is not None else None
            value = self.value(name, match.group(0), line, chain)
            return match.group(0) if value is None else value

        return PLACEHOLDER_RE.sub(replace, text)

    def value(self, name: str, written: str, line: int | None, chain: tuple[str, ...]) -> str | None:
        where = f" (in the value of {chain[-1]})" if chain else ""
        raw = self.raw.get(name)
        if not NAME_RE.match(name):
            self.problem(f"malformed placeholder '{written}'{where}", line, None)
        elif name not in self.raw:
            self.problem(f"placeholder {name} is used{where} but not declared", line, name)
        elif name in chain:
            self.problem(f"placeholder values refer to each other in a loop: {' -> '.join((*chain, name))}", line, name)
        elif raw is None:
            self.problem(f"placeholder {name} has no default: give it with --set {name}=VALUE", line, name)
        elif name in self.resolved:
            return self.resolved[name]
        else:
            value = self.expand(raw, None, (*chain, name))
            self.resolved[name] = value
            return value
        return None

    def problem(self, message: str, line: int | None, name: str | None) -> None:
        self.problems.append(Problem(message, self.shown, line, name))


def _rendered_note(template: Template, overrides: dict[str, str]) -> str:
    command = ["flowops", "templates", "render", template.name]
    for key, value in overrides.items():
        command += ["--set", f"{key}={value}"]
    return (
        f"# Rendered from the flowops '{template.name}' template. To render it again with the same values:\n"
        f"#   {shlex.join(command)}\n"
    )


def _check_yaml(text: str, template: Template, overrides: dict[str, str]) -> None:
    from flowops.errors import ConfigError
    from flowops.yamlfile import safe_load

    hint = f"check the values given with --set ({', '.join(overrides)})" if overrides else None
    try:
        data = safe_load(text, template.name)
    except ConfigError as exc:
        line = f" at line {exc.line}" if exc.line is not None else ""
        raise UsageError(f"the rendered '{template.name}' workflow is not valid YAML{line}: {exc.message}", hint=hint) from None
    if not isinstance(data, dict) or "jobs" not in data:
        raise UsageError(f"the rendered '{template.name}' workflow has no 'jobs' mapping", hint=hint)

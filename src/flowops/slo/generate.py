"""From spec files to the rules file's text, and comparing it with the file on disk.

Shared by ``flowops slo generate`` (write or ``--check``) and the ``slo.rules`` check, so
both agree byte for byte on what "current" means.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from flowops.errors import ConfigError, UsageError
from flowops.slo.model import DAY, DEFAULT_PERIOD, MIN_PERIOD, format_duration, parse_duration
from flowops.slo.rules import DEFAULT_STYLE, HEADER_MARK, SEVERITY_STYLES, RuleOptions, render_rules
from flowops.slo.runbooks import RunbookLinks, runbook_links
from flowops.slo.specs import SpecSet, read_specs, spec_display

if TYPE_CHECKING:
    from flowops.config import Config
    from flowops.project import Project

MAX_RULES_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """What shapes the output besides the specs (``[slo]`` in the config, or command options)."""

    default_period: int = DEFAULT_PERIOD
    severity: str = DEFAULT_STYLE
    runbook_base_url: str | None = None

    @classmethod
    def from_config(cls, config: Config, *, default_period: str | None = None, severity: str | None = None,
                    runbook_base_url: str | None = None) -> Settings:
        """Options given win over ``slo.*`` settings; a bad value names where it came from (exit 2)."""
        period_text = default_period or config.get("slo.default_period") or format_duration(DEFAULT_PERIOD)
        where = "--default-period" if default_period else "slo.default_period"
        period = parse_period(period_text, where, None if default_period else config.source)
        style = severity or config.get("slo.severity") or DEFAULT_STYLE
        if style not in SEVERITY_STYLES:
            raise ConfigError(f"unknown severity style '{style}'", path=None if severity else config.source,
                              field=None if severity else "slo.severity",
                              hint=f"use one of: {', '.join(SEVERITY_STYLES)}")
        base = runbook_base_url if runbook_base_url is not None else config.get("slo.runbook_base_url")
        return cls(period, style, base or None)


def parse_period(text: str, where: str, path: str | None = None) -> int:
    """A period such as ``30d`` or ``4w`` in minutes; ConfigError (exit 2) when unusable."""
    minutes = parse_duration(text)
    if minutes is None or minutes % DAY or minutes < MIN_PERIOD:
        raise ConfigError(f"'{text}' is not an SLO period", path=path, field=where if path else None,
                          hint=f"give whole days or weeks of at least {format_duration(MIN_PERIOD)}, such as 30d or 4w")
    return minutes


@dataclass
class Generated:
    """The result of one generation: the specs read and the rules file's text."""

    specs: SpecSet
    text: str
    links: RunbookLinks
    command: str

    @property
    def missing_runbooks(self) -> list[str]:
        """Alerts linked to the documents folder for now: no runbook document yet, and no runbook_url of the spec's."""
        names = [meta.name for slo in self.specs.slos for meta in (slo.page, slo.ticket)
                 if meta is not None and "runbook_url" not in meta.annotations]
        return self.links.missing(names)


# The options of `flowops slo generate` that shape the output, by how they are spelt
# (the same words in a header, a bound `slo.rules` check and on the command line).
OPTIONS = {"-o": "output", "--output": "output", "--default-period": "default_period", "--severity": "severity",
           "--runbook-base-url": "runbook_base_url"}
SETTING_OPTIONS = ("default_period", "severity", "runbook_base_url")
_HEADER_COMMAND = "#   flowops slo generate"


@dataclass(frozen=True)
class GenerateArgs:
    """``[options] [SPEC...]`` of ``flowops slo generate`` (or of ``slo.rules``), as given.

    ``options`` holds only the options present (``default_period``, ``severity``,
    ``runbook_base_url``), so a caller can tell "given" from "default".
    """

    specs: tuple[str, ...] = ()
    output: str | None = None
    options: dict[str, str] = field(default_factory=dict)


def parse_generate_args(words: Sequence[str], usage: str) -> GenerateArgs:
    """Split shell words into options and specs; UsageError naming ``usage`` for an unknown or valueless option."""
    values: dict[str, str] = {}
    specs: list[str] = []
    rest = list(words)
    while rest:
        word = rest.pop(0)
        name, has_value, inline = word.partition("=")
        if name in OPTIONS:
            if not has_value and not rest:
                raise UsageError(f"{name} needs a value", hint=f"usage: {usage}")
            values[OPTIONS[name]] = inline if has_value else rest.pop(0)
        elif word.startswith("-") and word != "-":
            raise UsageError(f"unknown option {word}", hint=f"usage: {usage}")
        else:
            specs.append(word)
    output = values.pop("output", None)
    return GenerateArgs(tuple(specs), output, values)


def header_command(text: str) -> GenerateArgs | None:
    """How a generated rules file was generated, read back from its header; None for any other file.

    The header names the command that regenerates the file (its specs and the options
    that were not the defaults), so the file can be checked and regenerated without
    configuration.
    """
    if not is_generated(text):
        return None
    for line in text.splitlines()[1:4]:
        if line.startswith(_HEADER_COMMAND):
            try:
                words = shlex.split(line[len(_HEADER_COMMAND):])
                return parse_generate_args(words, "flowops slo generate")
            except (ValueError, UsageError):
                return None
    return None


def read_header(path: Path) -> GenerateArgs | None:
    """The generate command in the header of the file at ``path``; None for any other file.

    Only the first 4 KiB of a regular file are read, without following a symlink or
    blocking on a FIFO: the path may come from the repository (``slo.output``, an alert
    file of ``operate.alerts``).
    """
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        os.set_blocking(fd, True)
        head = os.read(fd, 4096)
    except OSError:
        return None
    finally:
        os.close(fd)
    return header_command(head.decode("utf-8", "replace"))


def command_line(spec_files: Sequence[str], output: str, settings: Settings) -> str:
    """The command that regenerates the file, for its header (options only where not the defaults)."""
    words = ["flowops", "slo", "generate"]
    if settings.default_period != DEFAULT_PERIOD:
        words += ["--default-period", format_duration(settings.default_period)]
    if settings.severity != DEFAULT_STYLE:
        words += ["--severity", settings.severity]
    if settings.runbook_base_url:
        words += ["--runbook-base-url", settings.runbook_base_url]
    words += [*spec_files, "-o", output]
    return shlex.join(words)


def generate(project: Project, spec_paths: Sequence[Path], output: Path, settings: Settings, *,
             confine: bool = False) -> Generated:
    """Read the specs and render the rules (nothing written). ConfigError (exit 2) for invalid specs."""
    specs = read_specs(spec_paths, root=project.root, default_period=settings.default_period, confine=confine)
    specs.raise_errors()
    links = runbook_links(project, settings.runbook_base_url)
    shown_output = spec_display(output, project.root)
    # The files read, not the arguments as spelled (a folder, ./x.yml): the header, and so
    # --check, must not depend on how the specs were named on the command line.
    command = command_line(specs.files, shown_output, settings)
    options = RuleOptions(severity=settings.severity, runbook_url=links, command=command)
    return Generated(specs, render_rules(specs.slos, options), links, command)


def rule_options(project: Project, settings: Settings) -> RuleOptions:
    """The options the rules are written with (for the budget table and the runbook alerts)."""
    return RuleOptions(severity=settings.severity, runbook_url=runbook_links(project, settings.runbook_base_url))


def read_existing(output: Path) -> str | None:
    """The current rules file's text, None when it does not exist; UsageError when it cannot be compared."""
    try:
        with open(output, "rb") as handle:
            raw = handle.read(MAX_RULES_BYTES + 1)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise UsageError(f"{output} is a folder", hint="give the path of the rules file to write") from None
    except OSError as exc:
        raise UsageError(f"cannot read {output}: {exc.strerror or exc}") from None
    if len(raw) > MAX_RULES_BYTES:
        return raw[:MAX_RULES_BYTES].decode("utf-8", "replace")
    return raw.decode("utf-8", "replace")


def is_generated(text: str) -> bool:
    """True when ``text`` starts with the header flowops writes (so rewriting it loses nothing)."""
    return text.startswith(HEADER_MARK)


def only_links_differ(current: str, expected: str) -> bool:
    """True when the two texts differ only in ``runbook_url`` lines: a runbook document was created or moved."""
    old, new = current.splitlines(), expected.splitlines()
    if len(old) != len(new) or old == new:
        return False
    return all(a == b or (a.lstrip().startswith("runbook_url:") and b.lstrip().startswith("runbook_url:"))
               for a, b in zip(old, new, strict=True))


_GROUP = re.compile(r"^- name: sloth-slo-(?:sli-recordings|meta-recordings|alerts)-(.+?)\s*$")


def slo_at(text: str, line: int | None) -> str | None:
    """The sloth_id of the SLO whose rule group holds ``line`` (1-based) of a generated rules file, if any."""
    if line is None:
        return None
    found = None
    for number, content in enumerate(text.splitlines(), start=1):
        if number > line:
            break
        match = _GROUP.match(content)
        if match:
            found = match.group(1)
    return found


def differences(current: str, expected: str, name: str, limit: int = 30) -> tuple[int | None, list[str]]:
    """(first differing line of ``current``, a short unified diff) between the file and what would be generated."""
    old, new = current.splitlines(), expected.splitlines()
    first = next((i + 1 for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), None)
    if first is None and len(old) != len(new):
        first = min(len(old), len(new)) + 1
    diff = list(difflib.unified_diff(old, new, f"{name} (on disk)", f"{name} (from the specs)", n=1, lineterm=""))
    if len(diff) > limit:
        diff = diff[:limit] + [f"... ({len(diff) - limit} more diff lines)"]
    return first, diff

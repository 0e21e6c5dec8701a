"""A repository's SLO setup: which spec files, which generated rules files, generated how.

The ``slo.rules`` and ``slo.specs`` checks, ``flowops operate`` and a bare ``flowops slo
generate`` all need the same answer, found in this order:

- Specs: the SPEC arguments, else the ``slo.specs`` setting, else the spec files
  ``flowops discover`` finds (``flowops.slo.specs.is_spec_object``).
- Rules files: ``-o FILE``, else ``slo.output``: one file, generated from those specs.
  Otherwise the rules files ``flowops slo generate`` wrote that discovery finds: each
  one's header names its specs and options, so each is judged against its own command,
  and every spec must be in one of them.
- Settings of a rules file: options given, else ``[slo]`` settings that are set, else
  the options in the file's header, else the defaults. A header therefore keeps a file
  generated with ``--default-period 28d`` current without any configuration, while a
  setting the team changed makes the file stale until it is regenerated.

Nothing here reads a spec or writes a file; discovery is asked only when the
configuration leaves something open (``inventory`` is called at most once).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from flowops.slo.generate import SETTING_OPTIONS, GenerateArgs, Settings, command_line, read_header

if TYPE_CHECKING:
    from flowops.config import Config
    from flowops.discovery.inventory import Inventory
    from flowops.project import Project

# Where a rules file is suggested when there is none yet; never written unless a person runs the command.
SUGGESTED_OUTPUT = "monitoring/slo-rules.yml"
ARGUMENTS, CONFIG, DISCOVERED, HEADER = "arguments", "config", "discovered", "header"


@dataclass(frozen=True)
class RulesTarget:
    """One generated rules file and what it is generated from (repository-relative paths)."""

    output: str
    specs: tuple[str, ...]
    settings: Settings
    origin: str  # where the file was named: "arguments", "config" or "discovered"

    @property
    def command(self) -> str:
        """The command that (re)generates the file."""
        return command_line(list(self.specs), self.output, self.settings)


@dataclass
class SloSetup:
    """The answer: the specs, where they came from, the rules files and what is amiss.

    ``uncovered`` are spec files that no rules file is generated from; ``missing`` says
    why there is no rules file at all (with ``suggestion``, the command that makes one).
    """

    specs: list[str] = field(default_factory=list)
    origin: str = "none"  # "arguments", "config", "discovered" or "none"
    settings: Settings = field(default_factory=Settings)
    targets: list[RulesTarget] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)
    missing: str | None = None

    @property
    def has_specs(self) -> bool:
        return bool(self.specs)

    @property
    def suggestion(self) -> str:
        """The command that generates rules for every spec, into the suggested file."""
        return command_line(self.specs, SUGGESTED_OUTPUT, self.settings)

    def target_for(self, spec: str) -> RulesTarget | None:
        """The rules file generated from ``spec`` (a file), if any."""
        return next((t for t in self.targets if _under(spec, t.specs)), None)


def resolve(project: Project, *, specs: Sequence[str] = (), output: str | None = None,
            options: Mapping[str, str] | None = None,
            inventory: Callable[[], Inventory] | None = None) -> SloSetup:
    """Find the SLO setup of ``project`` (see the module docstring).

    ``specs`` and ``output`` are repository-relative, as a bound check gives them;
    ``options`` the generate options given (``default_period``, ``severity``,
    ``runbook_base_url``). Raises ConfigError for an unusable setting value.
    """
    config = project.config
    given = dict(options or {})
    cached: list[Inventory] = []

    def found() -> Inventory | None:
        if inventory is None:
            return None
        if not cached:
            cached.append(inventory())
        return cached[0]

    setup = SloSetup(settings=_settings(config, given, {}))
    if specs:
        setup.specs, setup.origin = list(specs), ARGUMENTS
    elif config.get("slo.specs"):
        setup.specs, setup.origin = list(config.get("slo.specs")), CONFIG
    named = output or config.get("slo.output")
    if named:
        _named_target(project, setup, named, ARGUMENTS if output else CONFIG, given, found)
    else:
        _discovered_targets(setup, config, given, found)
    return setup


def _discovered_targets(setup: SloSetup, config: Config, given: Mapping[str, str],
                        found: Callable[[], Inventory | None]) -> None:
    """The generated rules files discovery finds, for the specs asked about (all, when none were named)."""
    generated = _generated_files(found())
    if setup.origin == "none":
        discovered = _discovered_specs(found())
        if discovered:
            setup.specs, setup.origin = discovered, DISCOVERED
    if not setup.specs and not generated:
        return
    named = setup.origin in (ARGUMENTS, CONFIG)
    for path, header in generated:
        if named and not any(_under(s, setup.specs) or _under(w, (s,)) for s in header.specs for w in setup.specs):
            continue  # generated from other specs than those asked about
        setup.targets.append(RulesTarget(path, header.specs, _settings(config, given, header.options), DISCOVERED))
    if not setup.specs:
        # Rules files generated from specs discovery does not list (moved, excluded): judged by their headers.
        setup.specs = sorted({s for t in setup.targets for s in t.specs})
        setup.origin = HEADER
    if not setup.targets:
        setup.missing = "no rules file generated from the SLO specs"
        return
    setup.uncovered = [s for s in _spec_files(setup, found()) if setup.target_for(s) is None]


def _discovered_specs(inventory: Inventory | None) -> list[str]:
    return list(inventory.slo_files) if inventory is not None else []


def _named_target(project: Project, setup: SloSetup, output: str, origin: str, given: dict[str, str],
                  found: Callable[[], Inventory | None]) -> None:
    header = _header_of(project, output)
    header_options = header.options if header is not None else {}
    if not setup.specs:
        if header is not None and header.specs:
            setup.specs, setup.origin = list(header.specs), HEADER
        elif discovered := _discovered_specs(found()):
            setup.specs, setup.origin = discovered, DISCOVERED
    settings = _settings(project.config, given, header_options)
    setup.settings = settings
    setup.targets.append(RulesTarget(output, tuple(setup.specs), settings, origin))


def _header_of(project: Project, output: str) -> GenerateArgs | None:
    return read_header(Path(project.root, output))


def _generated_files(inventory: Inventory | None) -> list[tuple[str, GenerateArgs]]:
    if inventory is None:
        return []
    seen: dict[str, GenerateArgs] = {}
    for source in inventory.generated_rules:
        if source.generated is not None:
            seen.setdefault(source.path, source.generated)
    return sorted(seen.items())


def _spec_files(setup: SloSetup, inventory: Inventory | None) -> list[str]:
    """The spec files the setup stands for: discovered files under its spec paths, and files named directly."""
    discovered = inventory.slo_files if inventory is not None else []
    files = [f for f in discovered if _under(f, setup.specs)]
    files += [s for s in setup.specs if s not in files and s.endswith((".yml", ".yaml"))]
    return sorted(dict.fromkeys(files))


def _settings(config: Config, given: Mapping[str, str], header: Mapping[str, str]) -> Settings:
    """Options given, else settings that are set, else the header's options, else the defaults."""
    chosen: dict[str, str | None] = {}
    for name in SETTING_OPTIONS:
        if name in given:
            chosen[name] = given[name]
        elif f"slo.{name}" in config.values:
            chosen[name] = None  # Settings.from_config reads it (and names the setting in errors)
        else:
            chosen[name] = header.get(name)
    return Settings.from_config(config, **chosen)


def _under(path: str, roots: Sequence[str]) -> bool:
    normal = posixpath.normpath(path)
    for root in roots:
        top = posixpath.normpath(root)
        if top == "." or normal == top or normal.startswith(top.rstrip("/") + "/"):
            return True
    return False

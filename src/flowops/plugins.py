"""The plugin manager: built-ins first, then the ``flowops`` entry points.

``FLOWOPS_LOAD_PLUGINS=a,b`` loads only those external plugins (empty: none);
``FLOWOPS_DISABLE_PLUGINS=a,b`` blocks some (built-ins included); the config keys
``plugins.load`` and ``plugins.disable`` do the same. A plugin that fails to import or
raises inside a hook is reported by name and skipped; the rest go on.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pluggy

    from flowops.config import Config
    from flowops.project import Project

# Built-in plugins, registered exactly like third-party ones (name -> module).
DEFAULT_PLUGINS: dict[str, str] = {
    "sre": "flowops.builtin.sre_playbook",
    "mlops": "flowops.builtin.mlops_playbook",
    "handlers": "flowops.builtin.handlers",
    "criteria-lint": "flowops.builtin.criteria_lint",
    "incidents": "flowops.builtin.incident_gate",
    "checks": "flowops.builtin.checks",
}
ENTRY_POINT_GROUP = "flowops"
# The built-ins above that implement on_event (none do). An event with no hooks.yaml needs
# the plugins only for their observers, so knowing this spares that emit importing every
# built-in (~15 ms of `hooks emit`, `task create`, `task edit`); tests/test_plugins_manager.py
# holds it equal to what the built-ins implement.
BUILTIN_OBSERVERS: frozenset[str] = frozenset()


@dataclass
class PluginFailure:
    """A plugin that could not be loaded, or a hook call that raised."""

    plugin: str
    error: str
    hook: str | None = None
    # What is known of a plugin that failed to load, for `flowops plugins list`.
    builtin: bool = False
    version: str | None = None
    distribution: str | None = None
    # Set once the failure was shown to the user (see Plugins.unreported).
    reported: bool = field(default=False, compare=False, repr=False)

    def __str__(self) -> str:
        where = f" in hook {self.hook}" if self.hook else ""
        return f"plugin '{self.plugin}' failed{where}: {self.error}"


@dataclass
class PluginInfo:
    name: str
    module: str
    builtin: bool
    version: str | None = None
    distribution: str | None = None
    hooks: list[str] = field(default_factory=list)


class Plugins:
    """A pluggy manager plus what flowops needs around it: provenance, failures, isolation."""

    def __init__(self) -> None:
        # Imported here: an emit that needs no plugin (may_observe) does not pay for pluggy.
        import pluggy

        from flowops import hookspecs

        self.pm: pluggy.PluginManager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.info: dict[str, PluginInfo] = {}
        self.failures: list[PluginFailure] = []
        self._calling: str | None = None  # the plugin whose hookimpl runs now (for collect)

    @property
    def hook(self):
        return self.pm.hook

    def register(self, plugin: Any, name: str, *, builtin: bool, version: str | None = None, distribution: str | None = None) -> None:
        """Register ``plugin`` (a module or object with hookimpls) under ``name``."""
        try:
            self.pm.register(plugin, name=name)
        except Exception as exc:  # pluggy validates hookimpl signatures here
            self.failures.append(PluginFailure(name, _error_text(exc), builtin=builtin, version=version, distribution=distribution))
            return
        callers = self.pm.get_hookcallers(plugin) or []
        # pluggy accepts a hookimpl that matches no hookspec and never calls it: a
        # misspelt hook would do nothing, silently. Refuse the plugin, as pytest does.
        unknown = sorted(
            h.name for h in callers if h.spec is None and any(i.plugin is plugin and not i.optionalhook for i in h.get_hookimpls())
        )
        if unknown:
            from flowops import hookspecs

            self.pm.unregister(plugin)
            marker = f"{hookspecs.PROJECT_NAME}_spec"
            known = ", ".join(sorted(n for n in dir(hookspecs) if hasattr(getattr(hookspecs, n), marker)))
            what = "is not a flowops hook" if len(unknown) == 1 else "are not flowops hooks"
            error = (
                f"PluginValidationError: {', '.join(unknown)} {what} (hooks: {known}); "
                "mark a hook meant for another flowops version @hookimpl(optionalhook=True)"
            )
            self.failures.append(PluginFailure(name, error, builtin=builtin, version=version, distribution=distribution))
            return
        wrappers = _wrappers(plugin, callers)
        if wrappers:
            self.pm.unregister(plugin)
            self.failures.append(PluginFailure(name, wrappers, builtin=builtin, version=version, distribution=distribution))
            return
        module = getattr(plugin, "__name__", type(plugin).__module__)
        hooks = sorted(h.name for h in callers)
        self.info[name] = PluginInfo(name, module, builtin, version, distribution, hooks)

    def call_each(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call every implementation of ``hook_name`` one by one, each isolated.

        pluggy stops at the first exception; here a raising plugin is recorded in
        ``failures`` and the others still run. Returns (plugin name, result) pairs in
        pluggy's call order.
        """
        caller = getattr(self.pm.hook, hook_name)
        results: list[tuple[str, Any]] = []
        for impl in _plain(caller.get_hookimpls()):  # pluggy calls LIFO; keep its order
            args = {name: kwargs[name] for name in impl.argnames if name in kwargs}
            self._calling = impl.plugin_name
            try:
                results.append((impl.plugin_name, impl.function(**args)))
            except Exception as exc:
                self.failures.append(PluginFailure(impl.plugin_name, _error_text(exc), hook_name))
            finally:
                self._calling = None
        return results

    def implementations(self, hook_name: str) -> list[Any]:
        """The implementations (pluggy HookImpl) of ``hook_name`` in the order ``call_each`` calls them."""
        return _plain(getattr(self.pm.hook, hook_name).get_hookimpls())

    def first_result(self, hook_name: str, **kwargs: Any) -> tuple[str, Any] | None:
        """Like a firstresult hook, but a raising plugin is recorded and skipped."""
        caller = getattr(self.pm.hook, hook_name)
        for impl in _plain(caller.get_hookimpls()):
            args = {name: kwargs[name] for name in impl.argnames if name in kwargs}
            try:
                result = impl.function(**args)
            except Exception as exc:
                self.failures.append(PluginFailure(impl.plugin_name, _error_text(exc), hook_name))
                continue
            if result is not None:
                return impl.plugin_name, result
        return None

    def unreported(self, failures: Iterable[PluginFailure] | None = None) -> list[PluginFailure]:
        """Those of ``failures`` (default: all) not reported yet; they count as reported from now on.

        Several parts of one command use the same manager (the command itself, the event
        bus, the workflow guard); whoever shows failures to the user takes them from here,
        so each failure is named once.
        """
        fresh = [f for f in (self.failures if failures is None else failures) if not f.reported]
        for failure in fresh:
            failure.reported = True
        return fresh

    def collect(self, hook_name: str, *, with_plugin: bool = False, **kwargs: Any) -> list[Any]:
        """Call a ``register_*`` hook with a ``register`` callback and return what was registered.

        With ``with_plugin=True`` each entry is a (plugin name, item) pair, for registries
        that must say which plugin contributed what.
        """
        registered: list[Any] = []

        def register(*items: Any) -> None:
            item = items[0] if len(items) == 1 else items
            registered.append((self._calling, item) if with_plugin else item)

        self.call_each(hook_name, register=register, **kwargs)
        return registered


def _wrappers(plugin: Any, callers: Iterable[Any]) -> str | None:
    """The refusal text for a plugin with pluggy wrapper implementations, or None.

    flowops calls each implementation itself (call_each, first_result) so that one
    raising plugin cannot stop the others. A wrapper is a generator that only pluggy's
    own hook calling knows how to drive: called directly it never runs, and its
    generator object looked like a success to on_event and like a veto to check_transition.
    """
    found = sorted(
        (caller.name, "wrapper=True" if getattr(impl, "wrapper", False) else "hookwrapper=True")
        for caller in callers
        for impl in caller.get_hookimpls()
        if impl.plugin is plugin and (getattr(impl, "wrapper", False) or impl.hookwrapper)
    )
    if not found:
        return None
    what = ", ".join(f"{name} is a pluggy wrapper ({kind})" for name, kind in found)
    return f"{what}; flowops calls each implementation of its hooks itself and cannot run wrappers: make it a plain @hookimpl"


def _plain(impls: list[Any]) -> list[Any]:
    """Implementations in pluggy's call order (LIFO), wrappers left out (they are refused at registration)."""
    return [impl for impl in reversed(impls) if not (getattr(impl, "wrapper", False) or impl.hookwrapper)]


def _error_text(exc: BaseException) -> str:
    # One line, so that each failure is one line on stderr (pluggy's validation errors span several).
    text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def build_plugins(config: Config | None = None, *, entry_points: Callable[[], list] | None = None) -> Plugins:
    """Build the manager: built-ins, then entry points, honouring env and config filters."""
    from flowops import __version__

    plugins = Plugins()
    load_only = _split(os.environ.get("FLOWOPS_LOAD_PLUGINS"))
    if load_only is None and config is not None:
        load_only = config.get("plugins.load")
    disabled = set(_split(os.environ.get("FLOWOPS_DISABLE_PLUGINS")) or [])
    if config is not None:
        disabled |= set(config.get("plugins.disable") or [])

    for name, module_name in DEFAULT_PLUGINS.items():
        if name in disabled:
            continue
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # a missing built-in is a broken installation: say so, never skip it quietly
            plugins.failures.append(PluginFailure(name, _error_text(exc), builtin=True, version=__version__, distribution="flowops"))
            continue
        plugins.register(module, name, builtin=True, version=__version__, distribution="flowops")

    if load_only is not None and not load_only:
        return plugins
    for ep in (entry_points or _entry_points)():
        if ep.name in disabled or (load_only is not None and ep.name not in load_only):
            continue
        dist = getattr(ep, "dist", None)
        version = getattr(dist, "version", None)
        distribution = getattr(dist, "name", None) if dist else None
        if ep.name in plugins.info:
            plugins.failures.append(
                PluginFailure(ep.name, "a plugin with this name is already registered; skipped", version=version, distribution=distribution)
            )
            continue
        try:
            plugin = ep.load()
        except Exception as exc:
            plugins.failures.append(PluginFailure(ep.name, _error_text(exc), version=version, distribution=distribution))
            continue
        plugins.register(plugin, ep.name, builtin=False, version=version, distribution=distribution)
    return plugins


def _entry_points() -> list:
    # importlib.metadata takes ~20 ms to import, a quarter of the start-up budget of
    # `flowops hooks emit`; looking for the group's header in the installed
    # entry_points.txt files takes ~1 ms and tells when there is nothing to load.
    if not _group_declared(ENTRY_POINT_GROUP):
        return []
    from importlib.metadata import entry_points

    return list(entry_points(group=ENTRY_POINT_GROUP))


def _group_declared(group: str) -> bool:
    """False only when no distribution on sys.path can declare entry points in ``group``."""
    import re
    import sys

    header = re.compile(rf"^\[\s*{re.escape(group)}\s*\]", re.MULTILINE)
    for folder in sys.path:
        folder = folder or "."
        if not os.path.isdir(folder):
            if os.path.isfile(folder):
                return True  # a zip or egg: only importlib.metadata can look inside
            continue
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(folder, name, "entry_points.txt"), encoding="utf-8", errors="replace") as handle:
                    if header.search(handle.read()):
                        return True
            except OSError:
                continue
    return False


_cached: dict[str | None, Plugins] = {}
_installed: dict[None, bool] = {}  # whether any flowops entry point is installed (may_observe)


def get_plugins(project: Project | None = None) -> Plugins:
    """The process-wide manager for ``project`` (built once; config filters apply)."""
    # Keyed by root, not by object: a command, its plugin commands and the event bus each
    # call find_project() and must share one manager (one import of each plugin, each
    # failure reported once).
    key = None if project is None else os.path.realpath(project.root)
    if key not in _cached:
        config = None
        if project is not None:
            config = project.config
        _cached[key] = build_plugins(config)
    return _cached[key]


def cached_plugins(project: Project | None = None) -> Plugins | None:
    """The manager ``get_plugins(project)`` built earlier in this process, if any."""
    return _cached.get(None if project is None else os.path.realpath(project.root))


def may_observe(project: Project | None = None) -> bool:
    """False only when no plugin can implement on_event, decided without importing any plugin.

    That is: no manager built for ``project`` yet (one built may hold plugins registered
    in-process), no enabled built-in observer, and no ``flowops`` entry point installed.
    """
    if cached_plugins(project) is not None:
        return True
    disabled = set(_split(os.environ.get("FLOWOPS_DISABLE_PLUGINS")) or [])
    if project is not None:
        disabled |= set(project.config.get("plugins.disable") or [])
    if any(name in BUILTIN_OBSERVERS and name not in disabled for name in DEFAULT_PLUGINS):
        return True
    # ~1 ms when no distribution declares the group (the usual case), once per process: a
    # task edit emits two or three events; with one declared, the plugins are built next anyway.
    if None not in _installed:
        _installed[None] = bool(_entry_points())
    return _installed[None]


def built_plugins() -> list[Plugins]:
    """The managers built in this process so far (to report their failures at exit)."""
    return list(_cached.values())


def reset_plugins() -> None:
    """Forget built managers (tests, or after installing a plugin in-process)."""
    _cached.clear()
    _installed.clear()


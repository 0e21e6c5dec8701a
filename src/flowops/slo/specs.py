"""Reading SLO spec files: every format, every document, every problem with its file and line.

A file may hold several YAML documents (``---``) and an OpenSLO document may be a list of
objects. Each object is recognised by its own header: ``version: prometheus/v1`` (Sloth),
``apiVersion: sloth.slok.dev/v1`` + ``kind: PrometheusServiceLevel`` (Sloth on
Kubernetes), ``apiVersion: openslo/v1alpha`` or ``openslo/v1``. Anything else is reported,
not skipped: a spec named on the command line that yields nothing is a mistake.

``is_spec_object`` is the one test of "this is meant as an SLO spec": a folder's files are
passed over unless one of their objects passes it, and ``flowops discover`` lists exactly
the files it accepts, read by ``read_documents`` (so discovery and ``flowops slo`` agree on
every SLO, its id and every problem).

Spec files are repository content: a read is bounded (``MAX_SPEC_BYTES``), only regular
files are read, and with a ``root`` no path (or symlink) may lead outside it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowops.errors import ConfigError, Problem
from flowops.slo.fields import Fields, kind_of
from flowops.slo.model import DEFAULT_PERIOD, OPENSLO_V1, OPENSLO_V1ALPHA, SLO, SLOTH_K8S, SLOTH_V1
from flowops.slo.openslo import Document, check_sli_document, read_openslo
from flowops.slo.sloth import read_sloth
from flowops.yamlfile import Locations, load_yaml_documents

MAX_SPEC_BYTES = 1024 * 1024
MAX_FOLDER_FILES = 5000
_SKIP_DIRS = frozenset({"node_modules", "vendor", "venv"})
# A quick look at the text before parsing: a file whose text cannot hold a spec object is
# not parsed at all (``is_spec_object`` decides for the files that can).
SPEC_TEXT_HINTS = ("prometheus/v1", "openslo/", "sloth.slok.dev/")
SPEC_HINT = "an SLO spec starts with `version: prometheus/v1` (Sloth) or `apiVersion: openslo/v1` (OpenSLO)"


@dataclass
class SpecSet:
    """The SLOs of the spec files read together, and every problem found in them."""

    files: list[str] = field(default_factory=list)
    slos: list[SLO] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    def raise_errors(self) -> None:
        """ConfigError (exit 2) listing every error, when there is one."""
        errors = self.errors
        if errors:
            count = f"{len(errors)} problem{'s' if len(errors) != 1 else ''}"
            raise ConfigError(f"the SLO specs are invalid ({count})", problems=errors,
                              hint="fix them and rerun; `flowops slo validate` lists them all")


def spec_display(path: Path, root: Path | None) -> str:
    """How a spec path is shown and recorded: relative to ``root`` when inside it, with forward slashes."""
    absolute = Path(os.path.abspath(path))
    if root is not None:
        try:
            return absolute.relative_to(Path(os.path.abspath(root))).as_posix()
        except ValueError:
            pass
    return Path(os.path.normpath(path)).as_posix()


def is_spec_object(item: Any) -> bool:
    """True when ``item`` (one YAML object) is meant as an SLO spec: the one test, for folders and discovery.

    Sloth: ``version: prometheus/v1`` (without ``apiVersion``) or an ``apiVersion`` of
    ``sloth.slok.dev``; OpenSLO: any ``apiVersion`` of ``openslo`` (its ``Service``,
    ``SLI``, ``AlertPolicy`` ... objects belong to the spec too). A misspelt version
    inside such a header is the spec's problem, reported by the reader, not a reason to
    pass the file over.
    """
    if not isinstance(item, dict):
        return False
    api = item.get("apiVersion")
    if api is None:
        return item.get("version") == SLOTH_V1
    return isinstance(api, str) and api.startswith(("openslo/", "sloth.slok.dev/"))


def may_hold_spec(text: str) -> bool:
    """False when ``text`` cannot hold a spec object (it is then not parsed)."""
    return any(hint in text for hint in SPEC_TEXT_HINTS)


def read_specs(paths: Iterable[Path | str], *, root: Path | None = None, default_period: int = DEFAULT_PERIOD,
               confine: bool = False) -> SpecSet:
    """Read every spec file into one SpecSet, in the order of their shown paths.

    A folder stands for the YAML files under it that hold a spec object
    (``is_spec_object``; others are passed over, as Sloth does); a file named directly
    must hold a spec.

    ``default_period`` (minutes) is the period of Sloth specs and of OpenSLO SLOs without
    a time window. With ``confine``, paths must stay inside ``root`` (repository content).
    """
    problems: list[Problem] = []
    unreadable: list[str] = []
    parsed: list[tuple[str, list[tuple[Any, Locations]]]] = []
    for display, (path, scanned) in sorted(_expand(paths, root).items()):
        text = _read(path, display, root if confine else None, problems)
        if text is None:
            continue
        if scanned and not may_hold_spec(text):
            continue  # a folder's other YAML files (Kubernetes manifests, rules) are not specs
        try:
            documents = load_yaml_documents(text, display)
        except ConfigError as exc:
            # Invalid YAML in a folder is reported only when it may be a spec (its text says so).
            problems.append(Problem(exc.message, exc.path, exc.line, exc.field))
            unreadable.append(display)
            continue
        if scanned and not any(is_spec_object(item) for data, _where in documents for item in _items(data)):
            continue  # YAML that mentions a spec version without being one (a README example, a rules file)
        parsed.append((display, documents))
    result = read_documents(parsed, default_period=default_period)
    # Problems in the order of the files (a stable sort keeps each file's own order).
    result.problems = sorted([*problems, *result.problems], key=lambda p: p.path or "")
    result.files = sorted([*result.files, *unreadable])
    return result


def read_documents(files: Sequence[tuple[str, Sequence[tuple[Any, Locations]]]], *,
                   default_period: int = DEFAULT_PERIOD) -> SpecSet:
    """The SLOs of spec files already parsed: (shown path, [(document, its Locations)]) in reading order.

    What ``read_specs`` does after reading, for callers that hold the documents already
    (``flowops discover``). SLI references are resolved across all the files given.
    """
    result = SpecSet()
    objects: list[tuple[str, Any, Fields, tuple]] = []
    for display, documents in files:
        result.files.append(display)
        objects.extend(_objects(documents, display, result.problems))
    result.slos = _build(objects, default_period, result.problems)
    _refuse_duplicates(result.slos, result.problems)
    return result


def _items(data: Any) -> list[Any]:
    return list(data) if isinstance(data, list) else [data]


def _expand(paths: Iterable[Path | str], root: Path | None) -> dict[str, tuple[Path, bool]]:
    """Shown path -> (path, found by scanning a folder) for every file to read."""
    files: dict[str, tuple[Path, bool]] = {}
    for given in map(Path, paths):
        if given.is_dir():
            for found in _spec_files(given):
                files.setdefault(spec_display(found, root), (found, True))
        else:
            files[spec_display(given, root)] = (given, False)
    return files


def _objects(parsed: Sequence[tuple[Any, Locations]], display: str,
             problems: list[Problem]) -> list[tuple[str, Any, Fields, tuple]]:
    """(format, object, fields, position) of every spec object in one file's documents."""
    found: list[tuple[str, Any, Fields, tuple]] = []
    reported = len(problems)
    for data, where in parsed:
        if data is None:
            continue
        fields = Fields(where, problems)
        items = list(enumerate(data)) if isinstance(data, list) else [(None, data)]
        for index, item in items:
            at = () if index is None else (index,)
            kind = _format(item, fields, at)
            if kind is not None:
                found.append((kind, item, fields, at))
    if not found and len(problems) == reported:
        problems.append(Problem(f"no SLO spec in this file: {SPEC_HINT}", display, None))
    return found


def _spec_files(folder: Path) -> list[Path]:
    """The YAML files under ``folder`` (recursively, sorted), without following links or entering hidden folders."""
    found: list[Path] = []
    for current, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        for name in sorted(names):
            path = Path(current, name)
            if name.endswith((".yml", ".yaml")) and not path.is_symlink():
                found.append(path)
                if len(found) >= MAX_FOLDER_FILES:
                    return found
    return found


def _read(path: Path, display: str, root: Path | None, problems: list[Problem]) -> str | None:
    try:
        if root is not None:
            resolved = path.resolve()
            if not resolved.is_relative_to(root.resolve()):
                problems.append(Problem("the path leads outside the repository (a symlink?); it was not read", display))
                return None
        with open(path, "rb") as handle:
            if not _regular(handle.fileno()):
                problems.append(Problem("not a regular file", display))
                return None
            raw = handle.read(MAX_SPEC_BYTES + 1)
    except FileNotFoundError:
        problems.append(Problem("file not found", display))
        return None
    except OSError as exc:
        problems.append(Problem(f"cannot read: {exc.strerror or exc}", display))
        return None
    if len(raw) > MAX_SPEC_BYTES:
        problems.append(Problem(f"larger than {MAX_SPEC_BYTES // 1024} KiB: too big for an SLO spec; it was not read", display))
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(f"not UTF-8 text (byte {exc.start})", display))
        return None


def _regular(fd: int) -> bool:
    import stat

    return stat.S_ISREG(os.fstat(fd).st_mode)


def _format(item: Any, fields: Fields, at: tuple) -> str | None:
    """The spec format of one object, or None (with a problem recorded, or for other OpenSLO kinds)."""
    if not isinstance(item, dict):
        fields.error(f"not an SLO spec: a {kind_of(item)}, where {SPEC_HINT}", at)
        return None
    if "version" in item and "apiVersion" not in item:
        version = item.get("version")
        if version != SLOTH_V1:
            fields.error(f"unknown version {version!r}: Sloth specs are version: {SLOTH_V1}", (*at, "version"))
            return None
        return SLOTH_V1
    api = item.get("apiVersion")
    kind = item.get("kind")
    if api == SLOTH_K8S:
        if kind != "PrometheusServiceLevel":
            fields.error(f"kind {kind!r} of {SLOTH_K8S} is not an SLO spec: expected PrometheusServiceLevel", (*at, "kind"))
            return None
        return SLOTH_K8S
    if isinstance(api, str) and api.startswith("openslo/"):
        return _openslo_format(api, kind, fields, at)
    if api is not None:
        fields.error(f"not an SLO spec (apiVersion {api}, kind {kind}): {SPEC_HINT}", (*at, "apiVersion"))
    else:
        fields.error(f"not an SLO spec: {SPEC_HINT}", at)
    return None


def _openslo_format(api: str, kind: Any, fields: Fields, at: tuple) -> str | None:
    if api not in (OPENSLO_V1ALPHA, OPENSLO_V1):
        fields.error(f"unknown version {api!r}: OpenSLO specs are {OPENSLO_V1ALPHA} or {OPENSLO_V1}", (*at, "apiVersion"))
        return None
    if kind == "SLO" or (kind == "SLI" and api == OPENSLO_V1):
        return f"{api}:{kind}"
    if not isinstance(kind, str):
        fields.error("'kind' is required (SLO or SLI)", at)
    return None  # Service, AlertPolicy, DataSource, ...: not turned into rules


def _build(documents: list[tuple[str, Any, Fields, tuple]], period: int, problems: list[Problem]) -> list[SLO]:
    slis = _slis(documents)
    referenced: set[str] = set()
    slos: list[SLO] = []
    for kind, item, fields, at in documents:
        if kind in (SLOTH_V1, SLOTH_K8S):
            spec, spec_at = item, at
            if kind == SLOTH_K8S:
                fields.known(item, ("apiVersion", "kind", "metadata", "spec"), at)
                spec = fields.mapping(item, "spec", at, required=True)
                spec_at = (*at, "spec")
            if spec is not None:
                slos.extend(read_sloth(spec, fields, spec_at, kind, period))
        elif kind.endswith(":SLO"):
            version = kind.split(":")[0].split("/")[1]
            referenced.update(_refs(item.get("spec")))
            slos.extend(read_openslo(Document(item, fields, at, version), slis, period))
    for name, document in slis.items():
        if name not in referenced:
            check_sli_document(document)
    return slos


def _slis(documents: list[tuple[str, Any, Fields, tuple]]) -> dict[str, Document]:
    """The OpenSLO v1 ``SLI`` documents by name (a name defined twice is reported at the second)."""
    slis: dict[str, Document] = {}
    for kind, item, fields, at in documents:
        if kind != f"{OPENSLO_V1}:SLI":
            continue
        document = Document(item, fields, at, "v1")
        name = document.name
        if name is not None and name in slis:
            first = slis[name]
            fields.error(f"duplicate SLI '{name}': also defined at {first.fields.path}:{first.fields.line(first.at)}",
                         (*at, "metadata", "name"))
        elif name is not None:
            slis[name] = document
    return slis


def _refs(spec: Any) -> set[str]:
    if not isinstance(spec, dict):
        return set()
    owners = [spec, *(o for o in spec.get("objectives") or [] if isinstance(o, dict))]
    return {o["indicatorRef"] for o in owners if isinstance(o.get("indicatorRef"), str)}


def _refuse_duplicates(slos: list[SLO], problems: list[Problem]) -> None:
    seen: dict[str, SLO] = {}
    for slo in slos:
        first = seen.get(slo.id)
        if first is None:
            seen[slo.id] = slo
            continue
        problems.append(Problem(f"duplicate SLO '{slo.name}' of service '{slo.service}': already defined at "
                                f"{first.location}; SLO names must be unique per service (they become sloth_id "
                                f"'{slo.id}')", slo.source, slo.line))

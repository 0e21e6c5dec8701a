"""The Backlog.md-compatible task store: find, read, create, edit and archive tasks.

Files are found by the id in their names (``task-12 - ...md``), so a single task is read
without parsing the others; listing uses the index cache. Creating holds a backlog-wide
lock around id allocation and the write; editing holds a per-task lock around
read-modify-write; every write is atomic.
"""

from __future__ import annotations

import gc
import marshal
import os
import re
import sys
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from flowops.atomic import atomic_write_bytes
from flowops.backlog.config import BacklogConfig, read_backlog_config
from flowops.backlog.naming import (
    TaskId,
    id_from_filename,
    id_parts,
    parse_task_id,
    remember_id_parts,
    task_filename,
    try_parse_task_id,
)
from flowops.backlog.racy import RACY_NS as _RACY_NS
from flowops.errors import NotFoundError, Problem, StoreError, UsageError
from flowops.project import Project, find_project

if TYPE_CHECKING:
    # The task model and the file parser load when a task is read or written: a listing
    # from the cache needs neither (issue 15: they are ~10 ms of its start-up).
    from flowops.backlog import columns
    from flowops.backlog.changes import NewTask, Update
    from flowops.backlog.foldernames import FolderNames
    from flowops.backlog.ids import IdAllocator, UsedId
    from flowops.backlog.index import TaskIndex
    from flowops.backlog.model import Task
    from flowops.backlog.rows import Row, RowListing
    from flowops.backlog.sections import Body
    from flowops.backlog.taskfile import TaskFile, TaskParseError

FOLDERS: dict[str, str] = {
    "tasks": "tasks",
    "completed": "completed",
    "drafts": "drafts",
    "archive": "archive/tasks",
}
ACTIVE = ("tasks",)
READABLE = ("tasks", "completed", "drafts")
EVERYWHERE = ("tasks", "completed", "drafts", "archive")
LAYOUT = ("tasks", "drafts", "completed", "archive/tasks", "archive/drafts", "archive/milestones", "docs", "decisions", "milestones")


_SCANDIR_FD = os.scandir in os.supports_fd and hasattr(os, "O_DIRECTORY")
R = TypeVar("R")


def now_stamp() -> str:
    """The current UTC time as Backlog.md stores it: 'YYYY-MM-DD HH:mm'."""
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M")


class FileRef:
    """A task file found by a directory scan (stat taken from the scan, path built lazily)."""

    __slots__ = ("folder", "name", "spath", "_entry", "_file_id", "_file_id_known")

    def __init__(self, folder: str, spath: str, name: str, entry: os.DirEntry | None = None) -> None:
        self.folder = folder
        self.spath = spath
        self.name = name
        self._entry = entry
        self._file_id: TaskId | None = None
        self._file_id_known = False

    @property
    def path(self) -> Path:
        return Path(self.spath)

    @property
    def file_id(self) -> TaskId | None:
        if not self._file_id_known:
            self._file_id = id_from_filename(self.name)
            self._file_id_known = True
        return self._file_id

    def stat_key(self) -> tuple[int, int] | None:
        try:
            # lstat: a symlink is judged (and refused) as itself, and a dangling one is seen.
            st = self._entry.stat(follow_symlinks=False) if self._entry is not None else os.lstat(self.spath)
        except OSError:
            return None
        return (st.st_size, st.st_mtime_ns)


@dataclass
class BadFile:
    """A file in a task folder that could not be read as a task."""

    path: Path
    reason: str
    line: int | None = None

    def problem(self, root: Path) -> Problem:
        try:
            shown = self.path.relative_to(root).as_posix()
        except ValueError:
            shown = str(self.path)
        return Problem(self.reason, shown, self.line)


@dataclass
class Listing:
    """The tasks of a listing in order, the files that could not be read, and ids claimed twice."""

    tasks: list[Task]
    bad: list[BadFile] = field(default_factory=list)
    duplicates: dict[str, list[Path]] = field(default_factory=dict)


@dataclass
class RecordListing:
    """``Backlog.records``: tasks as records (records.py) in listing order, with their folders and paths in step."""

    records: list[Record]
    folders: list[str]
    paths: list[str]
    bad: list[BadFile] = field(default_factory=list)
    duplicates: dict[str, list[Path]] = field(default_factory=dict)
    answers: list = field(default_factory=list)  # what ``batch`` returned, one per batch of files read


class Backlog:
    """One backlog folder (``backlog/``, ``.backlog/`` or a configured one)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.dir = project.backlog_dir
        self._index: TaskIndex | None = None  # the listing cache, opened on first use
        self._parts: dict[str, TaskIndex] = {}  # the rows and texts caches (rows.py), likewise
        # The names in each task folder, listed once per Backlog for lookups by id: `ac verify
        # --recursive` looks up subtasks of every task it visits (3 folders of 10,000 names
        # each time). Likewise the files holding a marker (read_marked). Every write through
        # this Backlog forgets both (forget_listings). Each listing is the folder's names, each
        # after a NUL, searched as one string; FolderNames remembers them between commands.
        self._names: dict[str, str] = {}
        self._folder_cache: FolderNames | None = None
        self._marked: dict[tuple[tuple[str, ...], bytes], list[tuple[FileRef, bytes | Exception]]] = {}
        self._inside_checked = False

    # -- layout -------------------------------------------------------------------------
    @cached_property
    def config(self) -> BacklogConfig:
        return read_backlog_config(self.dir / "config.yml", self.project.root)

    @property
    def exists(self) -> bool:
        return self.dir.is_dir()

    def require(self) -> None:
        if not self.exists:
            raise UsageError(
                f"no backlog found in {self.project.root}",
                hint="run `flowops init` here (or `backlog init`), or run flowops inside a project that has a backlog/ folder",
            )
        self.check_inside()

    def check_inside(self) -> None:
        """UsageError when the backlog folder or one of its task folders leads out of the repository.

        A clone can make ``backlog/tasks`` a symlink to any folder of the machine; flowops
        would then read (and write) files there. Checked once per Backlog.
        """
        if self._inside_checked:
            return
        root = self.project.root.resolve()
        for folder in (self.dir, *(self.folder_path(name) for name in EVERYWHERE), self.dir / "docs", self.dir / "decisions"):
            if not os.path.lexists(folder):
                continue
            resolved = folder.resolve()
            if resolved != root and root not in resolved.parents:
                raise UsageError(
                    f"{self.relpath(folder)} leads outside the repository (to {resolved})",
                    path=self.relpath(folder),
                    hint="flowops reads and writes task files only inside the repository: make it a real folder",
                )
        self._inside_checked = True

    def folder_path(self, folder: str) -> Path:
        return self.dir / FOLDERS[folder]

    def relpath(self, path: Path) -> str:
        return self.project.relpath(path)

    def _locks_dir(self) -> Path:
        locks = self.project.flowops_dir / "locks"
        if not locks.is_dir():
            self.project.flowops_dir.mkdir(parents=True, exist_ok=True)
            ignore = self.project.flowops_dir / ".gitignore"
            if not ignore.exists():
                # Locks (and, outside git, the log and outbox) are per-machine; keep them out of commits.
                from flowops.initialize import GITIGNORE

                atomic_write_bytes(ignore, GITIGNORE.encode("utf-8"))
            locks.mkdir(exist_ok=True)
        return locks

    def lock_file(self, name: str) -> Path:
        """The path of lock file ``name`` in ``.flowops/locks/`` (the folder is made, with its .gitignore)."""
        return self._locks_dir() / name

    def allocating_ids(self) -> AbstractContextManager[IdAllocator]:
        """Hold the backlog-wide create lock and allocate task and draft ids past every id in use.

        Ids in use are those the file names of every task folder carry, archives included
        (Backlog.md issue #997). Write the new files before the ``with`` ends.
        """
        from flowops.backlog.ids import allocating

        return allocating(self.lock_file("create.lock"), self._used_ids)

    def _task_lock(self, wanted: TaskId) -> Path:
        """The lock held around a read-modify-write of one task (any of its files)."""
        return self.lock_file(f"task-{wanted.prefix}-{'.'.join(map(str, wanted.parts))}.lock")

    # -- finding files ------------------------------------------------------------------
    def scan(self, folders: Iterable[str] = ACTIVE, *, containing: str | None = None) -> list[FileRef]:
        """The task files of ``folders``; with ``containing``, only names that contain that text.

        Looking one task up filters names by its number first, so only a handful of the
        10,000 names of a large backlog are parsed.
        """
        self.check_inside()
        if containing is not None:
            return self._scan_names(folders, containing)
        refs: list[FileRef] = []
        for folder in folders:
            base = self.folder_path(folder)
            try:
                entries = os.scandir(base)
            except (FileNotFoundError, NotADirectoryError):
                continue
            with entries:
                for entry in entries:
                    name = entry.name
                    if not name.endswith(".md") or name.startswith("."):
                        continue
                    refs.append(FileRef(folder, entry.path, name, entry))
        return refs

    def _folder_names(self, folder: str) -> str | None:
        """The names in ``folder``, each after a NUL (remembered until the next write); None when it does not exist."""
        names = self._names.get(folder)
        if names is None:
            if self._folder_cache is None:
                from flowops.backlog.foldernames import FolderNames

                self._folder_cache = FolderNames(self.project.cache_dir)
            try:
                names = self._names[folder] = self._folder_cache.listing(str(self.folder_path(folder)))
            except (FileNotFoundError, NotADirectoryError):
                return None
        return names

    def _scan_names(self, folders: Iterable[str], containing: str) -> list[FileRef]:
        refs: list[FileRef] = []
        for folder in folders:
            base = self.folder_path(folder)
            names = self._folder_names(folder)
            if names is None:
                continue
            # Each name holding ``containing`` once, in listing order: find it in the listing,
            # widen to the name around it (NUL to NUL), go on after that name.
            position = names.find(containing)
            while position != -1:
                start = names.rfind("\0", 0, position) + 1
                end = names.find("\0", position)
                if end == -1:
                    end = len(names)
                name = names[start:end]
                if name.endswith(".md") and not name.startswith("."):
                    refs.append(FileRef(folder, os.path.join(base, name), name))
                position = names.find(containing, end + 1) if end < len(names) else -1
        return refs

    def forget_listings(self) -> None:
        """Forget the folder listings and marked files remembered for lookups: call after writing a task file."""
        self._names.clear()
        self._marked.clear()

    def read_marked(self, folders: Iterable[str], marker: bytes) -> list[tuple[FileRef, bytes | Exception]]:
        """The task files of ``folders`` whose bytes contain ``marker``, with those bytes.

        A file that could not be read comes with its exception (TaskParseError, OSError)
        instead, so the caller can report it; a file gone meanwhile is left out. Read once
        per Backlog and marker: operate's survey and its runbook check both look for key
        labels in every file of a 10,000-task backlog (~0.1 s each).
        """
        key = (tuple(folders), marker)
        found = self._marked.get(key)
        if found is None:
            from flowops.backlog.taskfile import TaskParseError, read_backlog_file

            found = []
            for ref in self.scan(key[0]):
                try:
                    # The path as scanned (a str): a Path for each of 10,000 files costs ~40 ms.
                    raw = read_backlog_file(ref.spath)
                except FileNotFoundError:
                    continue  # moved meanwhile
                except (TaskParseError, OSError) as exc:
                    found.append((ref, exc))
                    continue
                if marker in raw:
                    found.append((ref, raw))
            self._marked[key] = found
        return found

    def parse_id(self, text: str) -> TaskId:
        return parse_task_id(text, self.config.task_prefix)

    # -- reading ------------------------------------------------------------------------
    def read_file(self, ref: FileRef) -> TaskFile:
        from flowops.backlog.taskfile import TaskFile, TaskParseError

        try:
            return TaskFile.read(ref.path, ref.folder)
        except FileNotFoundError:
            raise  # the caller decides: a file renamed or archived meanwhile is not an error
        except OSError as exc:
            raise TaskParseError(f"cannot read: {exc.strerror or exc}") from None

    def _candidates(self, wanted: TaskId, folders: Iterable[str]) -> list[FileRef]:
        """The files whose names carry the id ``wanted`` (zero-padded or not, any prefix case)."""
        self.check_inside()
        # One C-level search of the listing picks the few names of this id (~0.5 ms for 10,000
        # names): testing every name holding the number (4,000 of 10,000 for TASK-1) cost ~10 ms.
        named = _filename_pattern(wanted).finditer
        refs: list[FileRef] = []
        for folder in folders:
            names = self._folder_names(folder)
            if names is None:
                continue
            base = self.folder_path(folder)
            for match in named(names):
                name = match.group(1)
                ref = FileRef(folder, os.path.join(base, name), name)
                if ref.file_id == wanted:
                    refs.append(ref)
        return refs

    def named(self, id_text: str, folders: Iterable[str] = READABLE) -> bool:
        """True when a file in ``folders`` is named for the task ``id_text``; nothing is parsed.

        For a quick "is there such a task" (``hooks emit --task-id``); ``get`` is the
        lookup that reads the file, and finds a task whose file was renamed by hand.
        """
        wanted = self.parse_id(id_text)
        folders = tuple(folders)
        if wanted.prefix == "draft" and "drafts" not in folders:
            folders = (*folders, "drafts")
        return bool(self._candidates(wanted, folders))

    def locate(self, id_text: str, folders: Iterable[str] = READABLE) -> tuple[TaskFile, list[Path]]:
        """Find and parse the task ``id_text``; returns (file, other files claiming the same id).

        Raises NotFoundError, or StoreError naming file and line when the file is unreadable.
        """
        from flowops.backlog.taskfile import TaskFile, TaskParseError

        self.require()
        folders = tuple(folders)
        wanted = self.parse_id(id_text)
        if wanted.prefix == "draft" and "drafts" not in folders:
            folders = (*folders, "drafts")
        matches: list[TaskFile] = []
        errors: list[tuple[FileRef, TaskParseError]] = []
        for ref in self._candidates(wanted, folders):
            try:
                task_file = self.read_file(ref)
            except FileNotFoundError:
                continue  # renamed or archived meanwhile
            except TaskParseError as exc:
                errors.append((ref, exc))
                continue
            if try_parse_task_id(task_file.task.id, self.config.task_prefix) == wanted:
                matches.append(task_file)
        if not matches and not errors:
            # The file name may not carry the id (renamed by hand): fall back to the frontmatter.
            listing = self.load(folders)
            for task in listing.tasks:
                if try_parse_task_id(task.id, self.config.task_prefix) == wanted and task.path is not None:
                    matches.append(TaskFile.read(task.path, task.folder))
        if not matches:
            if errors:
                bad_ref, error = errors[0]
                where = self.relpath(bad_ref.path) + (f":{error.line}" if error.line else "")
                raise StoreError(
                    f"{wanted.format(self.config.zero_padded_ids)} cannot be read: {error.reason}",
                    path=where,
                    hint="fix the file by hand (it was not changed), then retry; `flowops doctor` lists every problem",
                )
            raise NotFoundError(
                f"task {wanted.format(self.config.zero_padded_ids)} not found",
                hint="`flowops task list --plain` shows the ids; archived tasks are in backlog/archive/tasks",
            )
        order = {name: i for i, name in enumerate(EVERYWHERE)}
        matches.sort(key=lambda tf: (order.get(tf.task.folder, 9), str(tf.path)))
        return matches[0], [_on_disk(tf) for tf in matches[1:]]

    def get(self, id_text: str, folders: Iterable[str] = READABLE) -> Task:
        """The task ``id_text`` (``12``, ``task-12``, ``TASK-12``); NotFoundError otherwise."""
        task_file, _duplicates = self.locate(id_text, folders)
        return task_file.task

    def subtasks(self, parent: Task, folders: Iterable[str] = READABLE) -> list[Task]:
        """Direct subtasks of ``parent``: files named ``<parent>.N`` or tasks naming it as parent."""
        from flowops.backlog.taskfile import TaskParseError

        parent_id = try_parse_task_id(parent.id, self.config.task_prefix)
        found: dict[str, Task] = {}
        if parent_id is None:
            return []
        for ref in self.scan(folders, containing=f"{parent_id.parts[-1]}."):
            fid = ref.file_id
            if fid is None or fid.prefix != parent_id.prefix or fid.parts[:-1] != parent_id.parts:
                continue
            try:
                task = self.read_file(ref).task
            except (TaskParseError, FileNotFoundError):
                continue
            found.setdefault(task.id, task)
        return sorted(found.values(), key=lambda t: _sort_key(t, self.config.task_prefix))

    def load(self, folders: Iterable[str] = ACTIVE, *, use_cache: bool = True) -> Listing:
        """Every task in ``folders``; unreadable files are reported in ``bad``, never dropped silently."""
        # Building tens of thousands of objects that all survive sets off the cyclic
        # garbage collector again and again (it doubled a 10,000-task load); nothing here
        # makes cycles, so it is paused for the duration (library callers included).
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            return self._load(folders, use_cache)
        finally:
            if gc_was_enabled:
                gc.enable()

    def _load(self, folders: Iterable[str], use_cache: bool) -> Listing:
        from flowops.backlog.records import from_record

        found = self._records(folders, use_cache)
        tasks: list[Task] = []
        for record, folder, spath in zip(found.records, found.folders, found.paths, strict=True):
            task = from_record(record)
            task.folder = folder
            task._path = spath
            tasks.append(task)
        return Listing(tasks, found.bad, found.duplicates)

    def records(self, folders: Iterable[str] = ACTIVE, *, batch: Callable[[list[Record]], object] | None = None) -> RecordListing:
        """``load`` without Task objects: every task of ``folders`` as its record (records.py), in load's order.

        ``batch`` is called with the records of each batch of files read from disk (not
        those from the cache), in the process that read them: on every core for a big
        backlog, so its answer must be plain built-in data (bulkread.in_chunks). Its
        answers come back in ``RecordListing.answers``. ``ac lint`` lints criteria there.
        """
        gc_was_enabled = gc.isenabled()
        gc.disable()  # as in load: many objects that all survive
        try:
            return self._records(folders, True, batch)
        finally:
            if gc_was_enabled:
                gc.enable()

    def _records(self, folders: Iterable[str], use_cache: bool, batch: Callable[[list[Record]], object] | None = None) -> RecordListing:
        folders = tuple(folders)
        refs = self.scan(folders)
        index = self._get_index() if use_cache else None
        slots: list = [None] * len(refs)
        keys: list = [None] * len(refs)
        # With no cache (a fresh clone, CI) or none wanted, every file is read: each is
        # keyed by the fstat of the file as read, so the serial stat pass is skipped.
        cold = index is None or not index.entries
        missing: list[int] = list(range(len(refs))) if cold else []
        for position, ref in enumerate(() if cold else refs):
            key = ref.stat_key()
            keys[position] = key
            if key is None:
                continue
            cached = index.get(ref.spath, key)  # type: ignore[union-attr]
            if cached is None:
                missing.append(position)
            else:
                slots[position] = cached
        answers: list = []
        if missing:
            _read_task_records(refs, missing, slots, keys, index, answers, cold=cold, batch=batch)
        records: list[Record] = []
        kept: list[FileRef] = []
        bad: list[BadFile] = []
        for ref, value in zip(refs, slots, strict=True):
            if value is None:
                continue
            if value[0] == "bad":
                bad.append(BadFile(ref.path, value[1], value[2]))
                continue
            records.append(value)
            kept.append(ref)
        if index is not None:
            index.prune({ref.spath for ref in refs}, str(self.dir), {str(self.folder_path(f)) for f in folders})
            index.save()
        order, duplicates = self._order([record[0][_RECORD_ID] for record in records], [ref.spath for ref in kept])
        return RecordListing([records[i] for i in order], [kept[i].folder for i in order], [kept[i].spath for i in order],
                             bad, duplicates, answers)

    def _order(self, ids: list[str], paths: list[str]) -> tuple[list[int], dict[str, list[Path]]]:
        """The positions of ``ids`` in listing order, and the ids more than one file claims (with those files).

        The order is by (0, prefix, numeric parts, id) for ids, (1, "", (), text) for anything
        else (_id_sort_key); equal prefix and parts mean the same id.
        """
        prefix = self.config.task_prefix
        parsed = list(map(id_parts, ids))
        first = parsed[0] if parsed else None
        duplicates: dict[str, list[Path]] = {}
        if first is not None and all(p is not None and (p[0] or prefix) == (first[0] or prefix) for p in parsed):
            # Every id has the same prefix (nearly always): (parts, id) pairs order them alike
            # with half the tuple comparisons, and equal parts mean the same id. Sorting
            # positions by key (stable: equal keys keep the scan's order) compares the keys
            # alone, ~2x faster at 10,000 tasks than sorting (key, position) pairs.
            flat = [(p[1], task_id) for p, task_id in zip(parsed, ids, strict=True)]  # type: ignore[index]
            order = sorted(range(len(ids)), key=flat.__getitem__)
            for a, b in pairwise(order):
                if flat[a][0] == flat[b][0]:
                    duplicates.setdefault(ids[a], [Path(paths[a])]).append(Path(paths[b]))
            return order, duplicates
        keys = [_id_sort_key(task_id, prefix) for task_id in ids]
        order = sorted(range(len(ids)), key=keys.__getitem__)
        for a, b in pairwise(order):
            key_a, key_b = keys[a], keys[b]
            if key_a[0] == 0 and key_a[1:3] == key_b[1:3]:
                duplicates.setdefault(ids[a], [Path(paths[a])]).append(Path(paths[b]))
        return order, duplicates

    def rows(self, folders: Iterable[str] = ACTIVE, *, text: bool = False, fields: frozenset[str] | None = None) -> RowListing:
        """The tasks of ``folders`` as listing rows (rows.py), in ``load``'s order, with its bad files and duplicates.

        ``text=True`` adds search's lower-cased text of each task. Reads and caches only
        what a listing needs: no Task objects, no descriptions unless searching. ``fields``
        names the row fields the caller reads (listing.fields_needed); the others may come
        back None when the rows come from the columns part (columns.py).
        """
        return self.render_rows(folders, _nothing, text=text, fields=fields)[0]

    def render_rows(self, folders: Iterable[str], render: Callable[[RowListing], R], *, text: bool = False,
                    fields: frozenset[str] | None = None, search: list[str] | None = None) -> tuple[RowListing, R]:
        """``rows`` and ``render(rows)``, the rendering done while the files are checked against the cache.

        ``render`` must be a pure function of the listing (it may run twice: a second time
        when a file turns out to have changed, on rows read afresh). With an up-to-date
        columns part on a large backlog, the stat of every file runs in a forked process
        (_FileCheck) while this one decodes and renders; nothing rendered from the cache is
        returned before every file was found unchanged. ``search`` (lower-cased query
        words, with ``text``): when every file is read (no cache), the readers also score
        their rows for it (search.score_rows, RowListing.scores), each on its own core.
        """
        from flowops.backlog import columns

        folders = tuple(folders)
        gc_was_enabled = gc.isenabled()
        gc.disable()  # as in load: many objects that all survive
        try:
            # Taken before any file is looked at: a file modified this close to it may change
            # again without changing its key (racy.py), so it is not cached.
            trusted_before = time.time_ns() - _RACY_NS
            cache_dir = self.project.cache_dir
            part_file = cache_dir / columns.part_name(folders) if cache_dir is not None else None
            part = columns.load(part_file, str(self.dir), folders) if part_file is not None else None
            if part is None or not (part.has_text or not text):
                listing = self._rows(folders, text, None, trusted_before, part_file, search)
                return listing, render(listing)
            self.check_inside()
            check = _FileCheck(self, folders, part)
            listing_or_none = self._columns_listing(part, text, fields)
            rendered = render(listing_or_none) if listing_or_none is not None else None
            if check.unchanged() and listing_or_none is not None:
                return listing_or_none, rendered  # type: ignore[return-value]
            listing = self._rows(folders, text, check.scanned, trusted_before, part_file)
            return listing, render(listing)
        finally:
            if gc_was_enabled:
                gc.enable()

    def _columns_listing(self, part: columns.Columns, text: bool, fields: frozenset[str] | None) -> RowListing | None:
        """The listing from a columns part, not yet checked against the files; None when the part is damaged."""
        from flowops.backlog.rows import RowListing

        if fields is not None and not part.id_order:
            fields = fields | {"id_sort"}  # sorting parses no id: the parts are handed over below
        rows = part.rows(fields)
        texts = part.texts() if text else None
        if rows is None or (text and texts is None):
            return None
        if fields is None or "id_sort" in fields:
            remember_id_parts([row.id for row in rows], [(p[0], tuple(p[1])) if (p := row.id_sort) is not None else None for row in rows])
        base = os.path.join(str(self.dir), "")
        duplicates = {task_id: [Path(base + name) for name in names] for task_id, names in part.duplicates.items()}
        bad = [BadFile(Path(base + name), reason, line) for name, reason, line in part.bad]
        return RowListing(rows, bad, duplicates, texts, part.id_order)

    def _rows(self, folders: tuple[str, ...], text: bool, scanned: list[columns.Scanned] | None,
              trusted_before: int, part_file: Path | None, search: list[str] | None = None) -> RowListing:
        """``rows`` from the per-file parts (reading the files they lack), then the columns part written for next time."""
        from flowops.backlog import columns
        from flowops.backlog.rows import ROWS_FORMAT, ROWS_NAME, TEXT_NAME, Row

        # The parts are keyed by the path inside the backlog folder (shorter to load) and
        # remember which folder that was.
        row_index = self._part(ROWS_NAME, ROWS_FORMAT)
        text_index = self._part(TEXT_NAME, ROWS_FORMAT) if text else None
        for part in (row_index, text_index):
            if part is not None:
                part.trusted_before = trusted_before
        # With no cache every file is read: the readers take each file's key from the
        # fstat of the file they opened, so the serial stat pass is skipped.
        cold = not row_index.entries
        if scanned is None:
            scanned = self._scan_folders(folders, stat=not cold)
        names, spaths, sizes, mtimes = self._flatten(folders, scanned)
        keys: list = [None] * len(names) if cold else [(size, mtime) if size is not None else None
                                                       for size, mtime in zip(sizes, mtimes, strict=True)]
        if cold:
            rows: list = [None] * len(names)
            texts: list = [None] * len(names)
            missing = list(range(len(names)))
        else:
            rows, texts, missing = _from_parts(names, keys, row_index, text_index)
        # The readers score the rows they read for a search; kept only when they read them all.
        scores: list | None = [None] * len(names) if search and text and len(missing) == len(names) else None
        if missing:
            _read_rows(missing, names, spaths, keys, rows, texts, row_index, text_index, cold=cold, search=search, scores=scores)
        # Not after a listing with no cache at all (it would add ~20-35 ms to the slowest
        # case): the next listing writes the part. Never with a file gone or racy.
        write_columns = not cold and part_file is not None and None not in rows and _trusted(mtimes, trusted_before)
        if not write_columns or len(missing) > PER_FILE_SAVE_FROM:
            live = set(names)
            for part in (row_index, text_index):
                if part is not None:
                    part.prune(live, "", {FOLDERS[f] for f in folders})
                    part.save()
        kept: list[Row] = []
        kept_texts: list[list[str]] = []
        kept_scores: list[float | None] = []
        paths: list[str] = []
        kept_names: list[str] = []
        bad: list[BadFile] = []
        bad_names: list[list] = []
        make = Row._make
        for position, row in enumerate(rows):
            if row is None:
                continue
            if row[0] == "bad":
                bad.append(BadFile(Path(spaths[position]), row[1], row[2]))
                bad_names.append([names[position], row[1], row[2]])
                continue
            kept.append(make(row))
            kept_texts.append(texts[position])
            if scores is not None:
                kept_scores.append(scores[position])
            paths.append(spaths[position])
            kept_names.append(names[position])
        listing = self._in_order(kept, kept_texts if text else None, paths, bad, kept_scores if scores is not None else None)
        if write_columns and part_file is not None:
            by_name = dict(zip(paths, kept_names, strict=True))
            named = {task_id: [by_name[str(p)] for p in files] for task_id, files in listing.duplicates.items()}
            columns.save(part_file, str(self.dir), folders, scanned, listing.rows, listing.texts, named, listing.id_ordered, bad_names)
        return listing

    def _in_order(self, kept: list[Row], texts: list | None, paths: list[str], bad: list[BadFile],
                  scores: list | None = None) -> RowListing:
        """The rows (and texts) in listing order, with the duplicates, and whether that is also listing.id_key's order."""
        from flowops.backlog.rows import RowListing

        ids = [row.id for row in kept]
        parsed = [(p[0], tuple(p[1])) if (p := row.id_sort) is not None else None for row in kept]
        remember_id_parts(ids, parsed)
        order, duplicates = self._order(ids, paths)
        # Every id parsed with one prefix: listing order is then exactly listing.id_key's
        # order, so a listing from the columns part need not sort by id again.
        prefix = self.config.task_prefix
        first = parsed[0] if parsed else None
        id_order = first is not None and all(p is not None and (p[0] or prefix) == (first[0] or prefix) for p in parsed)
        return RowListing([kept[i] for i in order], bad, duplicates, [texts[i] for i in order] if texts is not None else None, id_order,
                          [scores[i] for i in order] if scores is not None else None)

    def _scan_folders(self, folders: Iterable[str], *, stat: bool = True) -> list[columns.Scanned]:
        """Per folder of ``folders``: its task files' names as the folder lists them, their sizes and mtime_ns, in one pass.

        Same files as ``scan``, without a FileRef each: a listing from the cache spends
        its time here, one lstat per file (a symlink is judged as itself; size and mtime
        None for a file gone meanwhile). With ``stat=False`` only the names: the keys come
        back empty. A missing folder is an empty one.
        """
        self.check_inside()
        scanned: list[columns.Scanned] = []
        for folder in folders:
            base = str(self.folder_path(folder))
            # Statting relative to an open folder (fstatat) spares the kernel walking the
            # whole path again for every file (~15 % of this loop); listdir and one lstat
            # per name make no DirEntry per file.
            fd = None
            try:
                if _SCANDIR_FD:
                    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
                found = os.listdir(fd if fd is not None else base)
            except (FileNotFoundError, NotADirectoryError):
                if fd is not None:
                    os.close(fd)
                scanned.append(([], [], []))
                continue
            try:
                found = [name for name in found if name.endswith(".md") and not name.startswith(".")]
                if not stat:
                    scanned.append((found, [], []))
                    continue
                stats = _lstat_all(found, fd, os.path.join(base, ""))
                scanned.append((found, [st.st_size if st is not None else None for st in stats],
                                [st.st_mtime_ns if st is not None else None for st in stats]))
            finally:
                if fd is not None:
                    os.close(fd)
        return scanned

    def _flatten(self, folders: Iterable[str], scanned: list[columns.Scanned]) -> tuple[list[str], list[str], list, list]:
        """(path inside the backlog folder, path, size, mtime_ns) of every file of ``scanned``, folder after folder."""
        names: list[str] = []
        spaths: list[str] = []
        sizes: list[int | None] = []
        mtimes: list[int | None] = []
        for folder, (found, got_sizes, got_mtimes) in zip(folders, scanned, strict=True):
            sub, prefix = FOLDERS[folder], os.path.join(str(self.folder_path(folder)), "")
            names += [f"{sub}/{name}" for name in found]
            spaths += [prefix + name for name in found]
            sizes += got_sizes
            mtimes += got_mtimes
        return names, spaths, sizes, mtimes

    def _part(self, name: str, fmt: int) -> TaskIndex:
        """The cache part ``name`` (rows.py), loaded on first use."""
        part = self._parts.get(name)
        if part is None:
            from flowops.backlog.index import TaskIndex

            part = self._parts[name] = TaskIndex(self.project.cache_dir, name, fmt, base=str(self.dir))
            part.load()
        return part

    def _get_index(self) -> TaskIndex:
        if self._index is None:
            from flowops.backlog.index import TaskIndex

            self._index = TaskIndex(self.project.cache_dir)
            self._index.load()
        return self._index

    # -- writing ------------------------------------------------------------------------
    def _used_ids(self) -> list[UsedId]:
        """The ids in use, as far as allocation needs them: every file name in any task folder, archives included.

        A top-level id only ever raises its prefix's highest number, so those come back as
        one (prefix, (highest,)) per prefix; subtask ids (which also raise their siblings'
        numbers) come back whole. ``IdAllocator`` hands out the same ids as from the full
        list, without a tuple per file (~8 ms of a create at 10,000 tasks).
        """
        highest: dict[str, int] = {}
        ids: list[UsedId] = []
        for folder in (*(self.folder_path(f) for f in EVERYWHERE), self.dir / "archive" / "drafts"):
            try:
                names = os.listdir(folder)
            except (FileNotFoundError, NotADirectoryError):
                continue
            # Plain string work: a regex per name costs ~30 ms of a create at 10,000 tasks.
            for name in names:
                if not name.endswith(".md"):
                    continue
                prefix, dash, number = name.partition(" ")[0].partition("-")
                if not dash:
                    continue
                if number.endswith(".md"):
                    number = number[:-3]
                if number.isdigit():
                    if prefix.isalpha():
                        key = prefix.lower()
                        value = int(number)
                        if value > highest.get(key, -1):
                            highest[key] = value
                    continue
                parts = number.split(".")
                if prefix.isalpha() and all(p.isdigit() for p in parts):
                    ids.append((prefix.lower(), tuple(map(int, parts))))
        ids.extend((prefix, (value,)) for prefix, value in highest.items())
        return ids

    def create(self, new: NewTask) -> Task:
        """Write a new task (or draft); ids are allocated under a backlog-wide lock."""
        return self.create_many([new])[0]

    def create_many(self, news: Iterable[NewTask], *, parents: Iterable[Task] = ()) -> list[Task]:
        """Write several new tasks, in order, under one hold of the create lock.

        Each one is validated before anything is written. The backlog is scanned for used
        ids once, not once per task: in a 10,000-task backlog that is the difference between
        milliseconds and a quarter of a second per task (``flowops operate`` creates dozens).
        ``parents`` are tasks the caller has just read, so they are not looked up again.
        """
        from flowops.backlog.taskfile import check_size, render_new_task

        self.require()
        known: dict[str, Task] = {task.id: task for task in parents}
        news = list(news)
        prepared = [self._prepare_new(new, known) for new in news]
        if not prepared:
            return []
        created: list[Task] = []
        writes: list[tuple[Path, bytes]] = []
        # Ids in every task folder count, archives included (Backlog.md issue #997).
        with self.allocating_ids() as ids:
            for (task, parent_task, folder), new in zip(prepared, news, strict=True):
                parent_id = try_parse_task_id(parent_task.id, self.config.task_prefix) if parent_task else None
                if parent_id is not None:
                    task_id = TaskId(parent_id.prefix, ids.next(parent_id.prefix, parent_id.parts))
                else:
                    prefix = "draft" if folder == "drafts" else self.config.task_prefix
                    task_id = TaskId(prefix, ids.next(prefix))
                task.id = task_id.format(self.config.zero_padded_ids)
                if parent_task is not None:
                    task.parent_task_id = parent_task.id
                task.created_date = now_stamp()
                path = self.folder_path(folder) / task_filename(task.id, task.title)
                try:
                    data = render_new_task(task, new.sections)
                except ValueError as exc:
                    raise UsageError(str(exc)) from None
                check_size(data, task.id)
                task.path = path
                task.folder = folder
                created.append(task)
                writes.append((path, data))
            # Every task is rendered and checked before the first is written: one that would
            # be refused leaves none of the others behind.
            self.forget_listings()
            for path, data in writes:
                atomic_write_bytes(path, data)
        return created

    def _prepare_new(self, new: NewTask, parents: dict[str, Task]) -> tuple[Task, Task | None, str]:
        """The Task to write for ``new`` (no id yet), its parent and its folder; UsageError when invalid."""
        from flowops.backlog.model import Task

        _check_new(new)
        title = new.title.strip()
        if not title:
            raise UsageError("a task needs a title", hint='flowops task create "Title" ...')
        status = self._status(new.status) if new.status else ("Draft" if new.draft else self.config.initial_status)
        parent_task: Task | None = None
        if new.parent:
            if new.draft:
                raise UsageError("a draft cannot be a subtask", hint="create the draft without --parent")
            if new.parent not in parents:
                parents[new.parent] = self.get(new.parent, ("tasks", "completed"))
            parent_task = parents[new.parent]
        dependencies = [self._existing_id(dep) for dep in new.dependencies]
        task = Task(
            id="",
            title=title,
            status=status,
            assignees=list(new.assignees),
            reporter=new.reporter,
            labels=_dedupe(new.labels),
            milestone=new.milestone,
            dependencies=dependencies,
            references=list(new.references),
            documentation=list(new.documentation),
            priority=new.priority.lower() if new.priority else None,
            type=new.type,
            ordinal=new.ordinal,
            due_date=new.due_date,
            description=new.description.strip(),
            implementation_plan=new.implementation_plan,
            implementation_notes=new.implementation_notes,
            final_summary=new.final_summary,
        )
        from flowops.backlog.sections import Criterion

        task.acceptance_criteria = [Criterion(i + 1, text.strip()) for i, text in enumerate(new.acceptance_criteria) if text.strip()]
        dod = new.definition_of_done or []
        task.definition_of_done = [Criterion(i + 1, text.strip()) for i, text in enumerate(dod) if text.strip()]
        return task, parent_task, "drafts" if new.draft else "tasks"

    def update(self, id_text: str, mutate: Callable[[Task], None], *, folders: Iterable[str] = READABLE, touch: bool = True,
               edit_body: Callable[[Task, Body], None] | None = None) -> Update:
        """Apply ``mutate`` to the task under its lock; write only if something changed.

        The file is re-read inside the lock, so concurrent edits of different fields of
        one task all survive. ``updated_date`` is set when anything changed.
        ``edit_body(task, body)``, called after ``mutate``, may change the body's other
        blocks (``Body.set_other_block``); such a change is reported as ``body``.
        """
        from flowops.backlog.changes import Update
        from flowops.locks import file_lock  # only writers lock: a lookup imports neither it nor filelock

        self.require()
        wanted = self.parse_id(id_text)
        with file_lock(self._task_lock(wanted)):
            self.forget_listings()  # what was listed before the lock may have changed since
            task_file, duplicates = self.locate(id_text, folders)
            self._refuse_duplicates(task_file, duplicates)
            before = task_file.task.copy()
            task = task_file.task
            mutate(task)
            body = None
            if edit_body is not None:
                import copy

                body = copy.deepcopy(task_file.body)
                edit_body(task, body)
            changed = task_file.changed_fields(task)
            if body is not None and body.render() != task_file.doc.body_text:
                changed.append("body")
            if not changed:
                return Update(before, task, [])
            if touch and changed != ["ordinal"]:
                # Reordering alone leaves updated_date alone, as in Backlog.md 1.52.
                task.updated_date = now_stamp()
            # Everything that can refuse the edit is checked before the file is touched.
            data = self._render_checked(task_file, task, body)
            old_path = _on_disk(task_file)
            new_path = old_path
            if task.title != before.title or task.id != before.id:
                new_path = old_path.with_name(task_filename(task.id, task.title))
                if new_path != old_path and os.path.lexists(new_path):
                    raise StoreError(
                        f"cannot rename {task.id} to {self.relpath(new_path)}: something with that name exists; nothing was changed",
                        hint="move that file away (or choose another title), then retry",
                    )
            self.forget_listings()
            atomic_write_bytes(old_path, data)
            if new_path != old_path:
                # Rename after the content is safely written: a crash in between leaves a
                # valid file under its old name, never two files for one task.
                try:
                    os.replace(old_path, new_path)
                except OSError as exc:
                    atomic_write_bytes(old_path, task_file.doc.raw)  # put the old content back
                    raise StoreError(
                        f"cannot rename {task.id} to {self.relpath(new_path)}: {exc.strerror or exc}; nothing was changed"
                    ) from None
            task.path = new_path
            return Update(before, task, changed)

    def _refuse_duplicates(self, task_file: TaskFile, duplicates: list[Path]) -> None:
        """UsageError when several files claim the id: changing one of them would be a guess."""
        if not duplicates:
            return
        paths = ", ".join(self.relpath(p) for p in [task_file.path, *duplicates] if p is not None)
        raise UsageError(
            f"{task_file.task.id} is claimed by {len(duplicates) + 1} files ({paths}); nothing was changed",
            hint="`flowops doctor --fix` gives all but the oldest a new id; then edit the one you mean",
        )

    @staticmethod
    def _render_checked(task_file: TaskFile, task: Task, body: Body | None = None) -> bytes:
        """The edited file's bytes; UsageError when it could not be written exactly or is too big."""
        from flowops.backlog.taskfile import check_size

        try:
            data = task_file.render(task, body)
        except ValueError as exc:
            raise UsageError(f"{task.id}: {exc}") from None
        check_size(data, task.id)
        return data

    def archive(self, id_text: str) -> Task:
        """Move the task to ``archive/tasks/`` (its id stays taken)."""
        return self._move(id_text, ("tasks", "completed"), "archive")

    def complete(self, id_text: str) -> Task:
        """Move the task to ``completed/`` (as ``backlog cleanup`` does for old Done tasks)."""
        return self._move(id_text, ("tasks",), "completed")

    def _move(self, id_text: str, sources: tuple[str, ...], folder: str) -> Task:
        self.require()
        wanted = self.parse_id(id_text)
        from flowops.locks import file_lock

        with file_lock(self._task_lock(wanted)):
            self.forget_listings()  # what was listed before the lock may have changed since
            task_file, duplicates = self.locate(id_text, sources)
            self._refuse_duplicates(task_file, duplicates)
            target_dir = self.folder_path(folder)
            target_dir.mkdir(parents=True, exist_ok=True)
            source = _on_disk(task_file)
            target = target_dir / source.name
            if target.exists():
                raise StoreError(f"cannot move to {self.relpath(target)}: a file with that name exists")
            self.forget_listings()
            os.replace(source, target)
            task = task_file.task
            task.path = target
            task.folder = folder
            return task

    # -- helpers ------------------------------------------------------------------------
    def _status(self, text: str) -> str:
        status = self.config.canonical_status(text)
        if status is None:
            if text.strip().lower() == "draft":
                return "Draft"
            raise UsageError(
                f"unknown status '{text}'",
                hint="statuses in backlog/config.yml: " + ", ".join(self.config.statuses),
            )
        return status

    def canonical_status(self, text: str) -> str:
        """``text`` as spelled in config.yml; UsageError listing the statuses when unknown."""
        return self._status(text)

    def _existing_id(self, text: str) -> str:
        return self.get(text, ("tasks", "completed", "drafts", "archive")).id


Record = tuple  # a task record (records.py); named here so listings need not import that module
_RECORD_ID = 0  # the id's place among a record's scalars (records.SCALARS, held equal by a test)
# What was read is cached only when the file is older than the racy window (racy.py), for
# the index and rows parts; a module global so that tests can close the window.
RACY_NS = _RACY_NS


def _settled(key: tuple[int, int] | None, before: int) -> tuple[int, int] | None:
    """``key`` when its mtime is older than the racy window before ``before`` (ns), else None (not cached)."""
    return key if key is not None and key[1] < before - RACY_NS else None


def _read_task_records(refs: list[FileRef], missing: list[int], slots: list, keys: list, index: TaskIndex | None,
                       answers: list, *, cold: bool, batch: Callable[[list[Record]], object] | None) -> None:
    """Read the files of ``refs`` at ``missing`` (on every core when there are many) into ``slots``, and cache them.

    ``cold``: the index is empty or not used and every file is missing; ``keys`` is not
    used, each file's key is that of the file as read (its fstat), and each process also
    encodes the index's JSON of what it read (TaskIndex.adopt), so the parent only joins it.
    ``batch``'s answer for each process's records is appended to ``answers``.
    """
    from flowops.backlog.bulkread import in_chunks

    paths = [refs[p].spath for p in missing]
    encode_index = cold and index is not None
    before = time.time_ns()  # before any file is read: see RACY_NS

    def work(chunk: range) -> tuple[list, list, object, tuple | None, tuple[list, list]]:
        return _record_batch([paths[i] for i in chunk], encode_index, batch)

    entries: dict = {}
    encoded: list | None = []
    for chunk, (got_keys, values, answer, batch_json, (ids, parts)) in in_chunks(len(missing), work):
        remember_id_parts(ids, parts)  # listing order sorts by them: worked out on every core
        if batch is not None:
            answers.append(answer)
        if encoded is not None:
            encoded = None if batch_json is None else [*encoded, batch_json]
        for i, got_key, value in zip(chunk, got_keys, values, strict=True):
            position = missing[i]
            if value is None:
                continue  # gone meanwhile
            slots[position] = value
            if index is None:
                continue
            if not cold:
                if _settled(keys[position], before) is not None:
                    index.put(refs[position].spath, keys[position], value)
            elif got_key is not None:
                entries[paths[i]] = (got_key, value)
    if encode_index and index is not None:
        if encoded is not None:
            index.adopt(entries, encoded)  # which still puts them one by one when one cannot go in as it is
        else:
            for path, (key, value) in entries.items():
                index.put(path, key, value)


def _record_batch(paths: list[str], encode_index: bool,
                  batch: Callable[[list[Record]], object] | None) -> tuple[list, list, object, tuple | None, tuple[list, list]]:
    """(keys, records, ``batch``'s answer, the index's JSON of them when ``encode_index``, (ids, their id_parts)) of ``paths``."""
    from flowops.backlog.bulkread import read_keyed

    got_keys: list = []
    values: list = []
    before = time.time_ns()
    for path in paths:
        key, value = read_keyed(path)
        got_keys.append(_settled(key, before))  # a file changed too recently is not cached (RACY_NS)
        values.append(value)
    good = [value for value in values if value is not None and value[0] != "bad"]
    ids = [value[0][_RECORD_ID] for value in good]
    id_sorting = (ids, list(map(id_parts, ids)))
    answer = batch(good) if batch is not None else None
    if not encode_index:
        return got_keys, values, answer, None, id_sorting
    from flowops.backlog.index import encode

    kept = [j for j, (key, value) in enumerate(zip(got_keys, values, strict=True)) if key is not None and value is not None]
    try:
        batch_json = encode([paths[j] for j in kept], [got_keys[j] for j in kept], [values[j] for j in kept])
    except (TypeError, ValueError):
        batch_json = None  # a frontmatter value JSON cannot hold (a YAML date): TaskIndex.put leaves that file out
    return got_keys, values, answer, batch_json, id_sorting


def _read_rows(missing: list[int], names: list[str], spaths: list[str], keys: list, rows: list, texts: list,
               row_index: TaskIndex, text_index: TaskIndex | None, *, cold: bool = False, search: list[str] | None = None,
               scores: list | None = None) -> None:
    """Parse the files at ``missing`` (on every core when there are many) into ``rows`` and ``texts``, and cache them.

    ``cold``: the caches are empty and every file is missing; ``keys`` is not used, each
    file's key is that of the file as read, and each process also encodes the cache's JSON
    of what it read (index.TaskIndex.adopt), so the parent only joins it. ``scores``
    (with ``search``): filled with each row's search.score_rows score, worked out by its reader.
    """
    from flowops.backlog.bulkread import in_chunks

    want_text = text_index is not None
    before = time.time_ns()  # before any file is read: see RACY_NS

    score = search if scores is not None and want_text else None

    def work(chunk: range) -> tuple[list, list, list, tuple | None, list | None]:
        return _row_batch([spaths[missing[i]] for i in chunk], [names[missing[i]] for i in chunk], want_text, cold, score)

    row_entries: dict = {}
    text_entries: dict = {}
    row_json: list = []
    text_json: list = []
    for chunk, (got_keys, values, got_texts, encoded, got_scores) in in_chunks(len(missing), work):
        _put_scores(scores, chunk, got_scores)
        for i, key, value, text in zip(chunk, got_keys, values, got_texts, strict=True):
            position = missing[i]
            rows[position] = value
            if value is None:
                continue  # gone meanwhile
            if text is not None:
                texts[position] = text
            if key is None:
                continue  # unreadable and gone: reported, not cached
            name = names[position]
            if cold:
                row_entries[name] = (key, value)
                if text is not None:
                    text_entries[name] = (key, text)
                continue
            if _settled(key, before) is None:
                continue  # changed too recently to be cached (RACY_NS)
            if text_index is not None and text is not None:
                text_index.put(name, key, text)
            if row_index.get(name, key) != value:
                row_index.put(name, key, value)
        if encoded is not None:
            row_json.append(encoded[0])
            text_json.append(encoded[1])
    if cold:
        row_index.adopt(row_entries, row_json)
        if text_index is not None:
            text_index.adopt(text_entries, text_json)


def _row_batch(spaths: list[str], names: list[str], want_text: bool, cold: bool,
               search: list[str] | None = None) -> tuple[list, list, list, tuple | None, list | None]:
    """(keys, rows, texts, the cache's JSON of them when ``cold``, scores) of the files ``spaths``, in the process that reads them.

    Only rows travel back, not whole records; bad files come back as ["bad", reason, line].
    With ``search`` (and ``want_text``), each row's search.score_rows score (negated; None
    for no hit), so a cold search scores each half of the rows on its own core.
    """
    from flowops.backlog.bulkread import read_keyed
    from flowops.backlog.index import encode, encode_values
    from flowops.backlog.records import to_row, to_text

    got_keys: list = []
    values: list = []
    got_texts: list = []
    before = time.time_ns()
    for path in spaths:
        key, record = read_keyed(path)
        if cold:
            key = _settled(key, before)  # a file changed too recently is not cached (RACY_NS)
        text = None
        if record is None:
            value = None
        elif record[0] == "bad":
            value = list(record)
        else:
            value = to_row(record)
            if want_text:
                text = to_text(record)
        got_keys.append(key)
        values.append(value)
        got_texts.append(text)
    got_scores = _batch_scores(values, got_texts, search) if search and want_text else None
    if not cold:
        return got_keys, values, got_texts, None, got_scores
    kept = [j for j, (key, value) in enumerate(zip(got_keys, values, strict=True)) if key is not None and value is not None]
    row_json = encode([names[j] for j in kept], [got_keys[j] for j in kept], [values[j] for j in kept])
    text_json = None
    if want_text:
        with_text = [j for j in kept if got_texts[j] is not None]
        if len(with_text) == len(kept):  # no bad file among them: the same paths and keys, encoded once (~4 ms per 5,000)
            text_json = (row_json[0], row_json[1], encode_values([got_texts[j] for j in with_text]))
        else:
            text_json = encode([names[j] for j in with_text], [got_keys[j] for j in with_text], [got_texts[j] for j in with_text])
    return got_keys, values, got_texts, (row_json, text_json), got_scores


def _put_scores(scores: list | None, chunk: range, got: list | None) -> None:
    """A reader's scores (``got``, for the positions ``chunk``) into ``scores``: given only when every file was read, in order."""
    if scores is not None and got is not None:
        scores[chunk.start:chunk.stop:chunk.step] = got


def _batch_scores(values: list, texts: list, search: list[str]) -> list[float | None]:
    """search.score_rows' score of each row of ``values`` (None for a bad file, a gone one or no hit)."""
    from flowops.backlog.search import score_rows

    tasks = [j for j, value in enumerate(values) if value is not None and value[0] != "bad"]
    scores: list[float | None] = [None] * len(values)
    for score, _kind, _id, at in score_rows([values[j] for j in tasks], [texts[j] for j in tasks], search):
        scores[tasks[at]] = score
    return scores


def _nothing(_listing: RowListing) -> None:
    return None


# With the columns part rewritten, the per-file parts are saved again (re-encoding every
# entry: ~25 ms for the rows, ~40 ms with search's text at 10,000 tasks) only when more
# files than this were read: below it, reading those few again after the next change costs less.
PER_FILE_SAVE_FROM = 256
# A listing from the columns part checks its files in a forked process from this many
# files on (Linux): below it the fork (~1-2 ms) costs more than the overlap saves.
CHECK_IN_CHILD_FROM = 2000


class _FileCheck:
    """Whether the folders still hold exactly the files of a columns part, unchanged: the stat pass, in a child when it pays.

    The answer is one byte through a pipe ("1": unchanged), then on a change the scan
    itself (marshal) for the slow path to reuse (``scanned``); a child that fails or dies
    counts as "changed", and the slow path scans again.
    """

    def __init__(self, backlog: Backlog, folders: tuple[str, ...], part: columns.Columns) -> None:
        self.scanned: list[columns.Scanned] | None = None
        self._verdict: bool | None = None
        self._child: tuple[int, int] | None = None
        if part.size >= CHECK_IN_CHILD_FROM and _fork_is_safe():
            read_fd, write_fd = os.pipe()
            try:
                pid = os.fork()
            except OSError:
                os.close(read_fd)
                os.close(write_fd)
            else:
                if pid == 0:  # pragma: no cover - runs in the child
                    try:
                        os.close(read_fd)
                        scanned = backlog._scan_folders(folders)
                        with os.fdopen(write_fd, "wb") as out:
                            # On a change the scan travels back, so the parent need not stat again.
                            out.write(b"1" if part.matches(scanned) else b"0" + marshal.dumps(scanned))
                    finally:
                        os._exit(0)
                os.close(write_fd)
                self._child = (pid, read_fd)
                return
        self.scanned = backlog._scan_folders(folders)
        self._verdict = part.matches(self.scanned)

    def unchanged(self) -> bool:
        if self._child is not None:
            pid, read_fd = self._child
            self._child = None
            try:
                with os.fdopen(read_fd, "rb") as pipe:
                    answer = pipe.read()
            except OSError:
                answer = b""
            finally:
                os.waitpid(pid, 0)
            self._verdict = answer == b"1"
            if answer[:1] == b"0":
                self.scanned = _scan_from_child(answer[1:])
        return bool(self._verdict)


def _scan_from_child(data: bytes) -> list[columns.Scanned] | None:
    """The scan a _FileCheck child sent (marshal, from our own child: data only); None when it is not one."""
    try:
        scanned = marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None
    if isinstance(scanned, list) and all(isinstance(item, tuple) and len(item) == 3 and all(isinstance(part, list) for part in item)
                                         for item in scanned):
        return scanned
    return None


def _fork_is_safe() -> bool:
    """Linux, and no other thread running (forking a threaded process can deadlock the child)."""
    if not sys.platform.startswith("linux"):
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def _from_parts(names: list[str], keys: list, row_index: TaskIndex, text_index: TaskIndex | None) -> tuple[list, list, list[int]]:
    """The rows (and texts) the per-file parts hold for ``names`` at ``keys``, and the positions they lack."""
    from flowops.backlog.rows import ROW_FIELDS

    rows: list = [None] * len(names)
    texts: list = [None] * len(names)
    missing: list[int] = []
    get_row = row_index.get
    for position, (name, key) in enumerate(zip(names, keys, strict=True)):
        if key is None:
            continue
        row = get_row(name, key)
        if not isinstance(row, list) or (len(row) != ROW_FIELDS and not (len(row) == 3 and row[0] == "bad")):
            missing.append(position)  # not cached, or not a row of this layout: read the file
            continue
        rows[position] = row
        if text_index is not None and row[0] != "bad":
            texts[position] = found = text_index.get(name, key)
            if found is None:
                missing.append(position)
    return rows, texts, missing


def _lstat_all(names: list[str], fd: int | None, prefix: str) -> list[os.stat_result | None]:
    """The lstat of each name in the folder open as ``fd`` (or at ``prefix``); None for a file gone meanwhile."""
    lstat = os.lstat
    try:
        return [lstat(name, dir_fd=fd) for name in names] if fd is not None else [lstat(prefix + name) for name in names]
    except OSError:
        pass
    stats: list[os.stat_result | None] = []
    for name in names:
        try:
            stats.append(lstat(name, dir_fd=fd) if fd is not None else lstat(prefix + name))
        except OSError:
            stats.append(None)
    return stats


def _trusted(mtimes: list[int | None], trusted_before: int) -> bool:
    """Every file was stat'ed and is older than ``trusted_before`` (racy.RACY_NS)."""
    return None not in mtimes and (not mtimes or max(mtimes) < trusted_before)  # type: ignore[type-var,operator]


def _on_disk(task_file: TaskFile) -> Path:
    """The path of a task file the store read (TaskFile.read always records it)."""
    assert task_file.path is not None, "the store works on files it read"
    return task_file.path


def _check_new(new: NewTask) -> None:
    """Refuse (UsageError) a value that could not be written and read back exactly."""
    from flowops.backlog.values import check_line, check_lines, check_text

    check_line("title", new.title)
    for name in ("status", "reporter", "priority", "type", "milestone", "parent", "due_date"):
        check_line(name, getattr(new, name))
    check_lines("assignee", new.assignees)
    check_lines("label", new.labels)
    check_lines("dependency", new.dependencies)
    check_lines("reference", new.references)
    check_lines("documentation", new.documentation)
    check_lines("acceptance criterion", new.acceptance_criteria)
    check_lines("Definition of Done item", new.definition_of_done)
    for name in ("description", "implementation_plan", "implementation_notes", "final_summary"):
        check_text(name, getattr(new, name))


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        item = item.strip()
        if item and item not in seen:
            seen.append(item)
    return seen


def _sort_key(task: Task, prefix: str) -> tuple:
    """(0, prefix, numeric parts, id) for ids, (1, ...) for anything else; equal parts mean the same id."""
    return _id_sort_key(task.id, prefix)


def _id_sort_key(task_id: str, prefix: str) -> tuple:
    parsed = id_parts(task_id)
    if parsed is None:
        return (1, "", (), task_id)
    return (0, parsed[0] or prefix, parsed[1], task_id)


def _filename_pattern(wanted: TaskId) -> re.Pattern[str]:
    """Finds, in a listing (each name after a NUL), every name ``id_from_filename`` reads as ``wanted``, as group 1.

    A few other names match too: callers check. Starting at the NUL lets the search skip
    from name to name in C; a name ends at the next NUL or the end, and as "." never
    matched a newline, a name with one after its id is not matched.
    """
    number = r"\.".join(f"0*{part}" for part in wanted.parts)
    return re.compile(rf"\0((?i:{re.escape(wanted.prefix)})-{number}(?: - [^\0\n]*)?\.md)(?![^\0])")


def load_backlog(path: str | os.PathLike | Project | None = None) -> Backlog:
    """Open the backlog of the project at ``path`` (a folder or a Project; default: cwd)."""
    project = path if isinstance(path, Project) else find_project(path)
    return Backlog(project)


def init_layout(backlog_dir: Path, project_name: str) -> list[Path]:
    """Create the Backlog.md folder layout and config.yml where missing; returns what was created."""
    from flowops.backlog.config import default_config_text

    created: list[Path] = []
    for sub in LAYOUT:
        folder = backlog_dir / sub
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            created.append(folder)
    config = backlog_dir / "config.yml"
    if not config.exists():
        atomic_write_bytes(config, default_config_text(project_name).encode("utf-8"))
        created.append(config)
    return created


def __getattr__(name: str):
    # NewTask and Update live in flowops.backlog.changes (built only when a task is created
    # or updated, ~0.9 ms of every lookup's start-up otherwise); both are still offered here.
    if name in ("NewTask", "Update"):
        from flowops.backlog import changes

        return getattr(changes, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

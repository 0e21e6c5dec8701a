"""The listing's columns: the rows (rows.py) of one set of task folders in listing order, one JSON array per field.

A warm ``task list --plain`` of 10,000 tasks spent ~45 ms beyond its stat pass decoding
every row of ``tasks-rows.json`` (labels, assignees and the ids' sort parts are lists: two
thirds of the decoding), rebuilding rows and sorting them into listing order. This part
holds the same per-file rows rearranged for reading: a JSON header line naming each
field's byte range, then one JSON array per field (search's text as UTF-8 joined by a
separator it does not hold), so a listing decodes only the fields it prints (filters and
other sorts ask for more), already in ``Backlog.rows``' order.

It is a cache of per-file data, never of an answer: the header names the folders it
covers, and the file holds every file's name, size and mtime_ns in the order the folders
listed them. It is used only when the folders list exactly those names now and ``lstat``
gives exactly those keys (one string comparison per folder and key), so any change to any
file, any file added, removed or renamed, sends the listing back to the per-file parts,
which then rewrite this one. A file modified within the timestamp granularity of the
moment it was read could change again with the same size and mtime: a part is written
only when every file is older than that (racy.py). Data only (JSON and text, never
code); a corrupt, foreign or unreadable part is just no part.
"""

from __future__ import annotations

import json
import sys
from array import array
from functools import partial
from pathlib import Path
from typing import Any

from flowops.backlog.rows import Row

COLUMNS_FORMAT = 1
# What the part holds besides the rows' fields: the files (in the folders' listing order)
# and, for search, each row's text (rows.RowListing.texts).
FILE_FIELDS = ("names", "sizes", "mtimes")
# One folder as Backlog._scan_folders lists it: its file names (in the order the folder
# lists them), each file's size and mtime_ns (None for a file gone meanwhile).
Scanned = tuple[list[str], list[int | None], list[int | None]]
TEXT_FIELDS = ("description", "rest")
_TEXT_SEPARATORS = ("\x1e", "\x1f", "\x1d", "\x1c")


def part_name(folders: tuple[str, ...]) -> str:
    """The cache file of ``folders`` (one per set of folders a command lists)."""
    return "tasks-columns-" + "+".join(folders) + ".json"


class Columns:
    """A loaded columns part: its header, and its fields decoded on first use."""

    def __init__(self, data: bytes, header: dict[str, Any], start: int) -> None:
        self._view = memoryview(data)
        self._start = start
        self._at: dict[str, list[int]] = header["at"]
        self.size: int = header["rows"]  # rows
        self.id_order: bool = header["id_order"]
        self.duplicates: dict[str, list[str]] = header["duplicates"]
        # The files that are no task ([name, reason, line]), in the order the folders list them.
        self.bad: list[list] = header["bad"]
        sep = header.get("text_sep")
        self._text_sep: str = sep if isinstance(sep, str) and sep in _TEXT_SEPARATORS else ""
        self.has_text = bool(self._text_sep) and all(name in self._at for name in TEXT_FIELDS)
        self.folders: list[str] = header["folders"]
        self._decoded: dict[str, Any] = {}

    def field(self, name: str) -> Any:
        """The array of ``name`` (a Row or text field), or the text of a file field; ValueError when damaged."""
        got = self._decoded.get(name)
        if got is None:
            start, end = self._at[name]
            # Decoded from a view of the part, not a copy of its bytes: search's text is ~4 MB
            # at 10,000 tasks, and a fresh process pays for every page it first writes (~2 ms).
            raw = self._view[self._start + start:self._start + end]
            if name in TEXT_FIELDS:
                # Text is kept as itself (see save): one decode and one split, no JSON strings.
                got = str(raw, "utf-8", "surrogatepass").split(self._text_sep) if self.size else []
            else:
                got = json.loads(str(raw, "ascii"))
            if name in FILE_FIELDS:
                if not (isinstance(got, list) and len(got) == len(self.folders) and all(isinstance(item, str) for item in got)):
                    raise ValueError(f"column {name} is damaged")
            elif not isinstance(got, list) or len(got) != self.size:
                raise ValueError(f"column {name} is damaged")
            self._decoded[name] = got
        return got

    def matches(self, scanned: list[Scanned]) -> bool:
        """True when the folders hold exactly the files this part was made from, unchanged (``scanned``: Backlog._scan_folders)."""
        try:
            return file_texts(scanned) == (self.field("names"), self.field("sizes"), self.field("mtimes"))
        except (ValueError, KeyError, TypeError):
            return False

    def rows(self, fields: frozenset[str] | None) -> list[Row] | None:
        """The rows in listing order; fields outside ``fields`` (None: all) are None. None when damaged."""
        try:
            columns = [self.field(name) if fields is None or name in fields else None for name in Row._fields]
        except (ValueError, KeyError, TypeError):
            return None
        blank = [None] * self.size
        # tuple.__new__ straight from C: Row._make is a Python-level call per row (~1.3 ms at 10,000).
        return list(map(partial(tuple.__new__, Row), zip(*(column if column is not None else blank for column in columns), strict=True)))

    def texts(self) -> list[list[str]] | None:
        """Each row's [description, rest] (rows.RowListing.texts); None when the part has none or is damaged."""
        if not self.has_text:
            return None
        try:
            return [[description, rest] for description, rest in zip(self.field("description"), self.field("rest"), strict=True)]
        except (ValueError, KeyError, TypeError):
            return None


def file_texts(scanned: list[Scanned]) -> tuple[list[str], list[str], list[str]]:
    """The names, sizes and mtimes of each folder as one string each, as the part keeps them.

    One string per folder compares in one C-level pass and decodes as one JSON string:
    a list of 10,000 names or numbers costs ~1-3 ms to decode. Names are joined by "/",
    which no file name contains; the numbers are the hex of their 64-bit machine
    integers (the header records the byte order). A file that could not be stat'ed
    makes that folder's keys "?", so they never match.
    """
    names = ["/".join(found) for found, _sizes, _mtimes in scanned]
    return names, [_packed(got) for _found, got, _mtimes in scanned], [_packed(got) for _found, _sizes, got in scanned]


def _packed(numbers: list[int | None]) -> str:
    try:
        return array("q", numbers).tobytes().hex()  # type: ignore[type-var]
    except (TypeError, OverflowError):  # a file gone meanwhile (None), or a number no stat gives
        return "?"


def load(file: Path, base: str, folders: tuple[str, ...]) -> Columns | None:
    """The part in ``file`` if it was made by this flowops for these folders of the backlog at ``base``."""
    try:
        data = file.read_bytes()
    except OSError:
        return None
    try:
        from flowops import __version__

        end = data.index(b"\n")
        header = json.loads(data[:end].decode("ascii"))
        if (header.get("format") != COLUMNS_FORMAT or header.get("version") != __version__ or header.get("base") != base
                or header.get("folders") != list(folders) or header.get("byteorder") != sys.byteorder):
            return None
        columns = Columns(data, header, end + 1)
        if not isinstance(columns.duplicates, dict) or not all(name in columns._at for name in (*FILE_FIELDS, *Row._fields)):
            return None
        if not isinstance(columns.bad, list) or not all(isinstance(entry, list) and len(entry) == 3 for entry in columns.bad):
            return None
        return columns
    except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError):
        return None


def save(file: Path, base: str, folders: tuple[str, ...], scanned: list[Scanned], rows: list[Row],
         texts: list[list[str]] | None, duplicates: dict[str, list[str]], id_order: bool, bad: list[list]) -> None:
    """Write the part of ``folders``: the files as listed (``scanned``) with their keys, the rows in listing order, their texts if any."""
    from flowops import __version__
    from flowops.atomic import atomic_write_bytes
    from flowops.cachedir import ensure

    try:
        dumps = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode
        files = file_texts(scanned)
        bodies: list[tuple[str, bytes]] = [(name, dumps(values).encode("ascii")) for name, values in zip(FILE_FIELDS, files, strict=True)]
        bodies += [(name, dumps(list(column)).encode("ascii")) for name, column in zip(Row._fields, zip(*rows, strict=True), strict=True)] \
            if rows else [(name, b"[]") for name in Row._fields]
        text_sep = None
        if texts is not None:
            # Search's text is most of the part: as JSON strings it took ~13 ms to decode at
            # 10,000 tasks, as UTF-8 joined by a separator none of it holds ~3 ms.
            # The separators are whitespace to str.split, so no query word can hold one. The
            # first one no text holds: joined, it occurs exactly once between each two texts.
            columns = [[text[i] for text in texts] for i in range(len(TEXT_FIELDS))]
            for sep in _TEXT_SEPARATORS:
                joined = [sep.join(column) for column in columns]
                if all(text.count(sep) == max(len(texts) - 1, 0) for text in joined):
                    text_sep = sep
                    bodies += [(name, text.encode("utf-8", "surrogatepass")) for name, text in zip(TEXT_FIELDS, joined, strict=True)]
                    break
        at: dict[str, list[int]] = {}
        offset = 0
        for name, body in bodies:
            at[name] = [offset, offset + len(body)]
            offset += len(body) + 1
        header = {"format": COLUMNS_FORMAT, "version": __version__, "base": base, "folders": list(folders), "rows": len(rows),
                  "byteorder": sys.byteorder, "id_order": id_order, "text_sep": text_sep, "duplicates": duplicates,
                  "bad": bad, "at": at}
        data = b"\n".join([json.dumps(header, separators=(",", ":")).encode("ascii"), *(body for _name, body in bodies)])
        if not ensure(file.parent):
            return
        # No fsync: a part a crash left unreadable is only a missing one (atomic.py).
        atomic_write_bytes(file, data, durable=False)
    except (OSError, TypeError, ValueError):
        pass  # an unwritable cache folder still works, only slower

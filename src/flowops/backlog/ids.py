"""New ids for tasks, drafts, documents and decisions: one past the highest in use, under a lock.

Backlog.md numbers all four the same way: the next id is the highest number in use plus
one, archived files included, so an id is never handed out twice (Backlog.md issue #997).
Two processes creating at once must not both see the same highest number, so the ids in
use are read inside the kind's create lock, and the caller writes the files whose ids it
was given before the lock is released.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flowops.locks import file_lock

# (lower-case prefix, numeric parts): ("task", (12, 1)) is TASK-12.1, ("doc", (3,)) is doc-3.
UsedId = tuple[str, tuple[int, ...]]


class IdAllocator:
    """Hands out ids past the highest in ``used``; each id handed out counts as used."""

    def __init__(self, used: Iterable[UsedId]) -> None:
        self._used = list(used)
        # (prefix, parent parts) -> the last number handed out, so creating dozens of tasks
        # in one call scans the ids in use once per kind, not once per task.
        self._highest: dict[tuple[str, tuple[int, ...]], int] = {}

    def add(self, used: Iterable[UsedId]) -> None:
        """Count ``used`` as taken too (ids known otherwise than by the listing given at the start)."""
        self._used.extend(used)
        self._highest.clear()

    def next(self, prefix: str, parent: tuple[int, ...] = ()) -> tuple[int, ...]:
        """The parts of a new id: a top-level number, or the next child number of ``parent``.

        A top-level number is past every id with ``prefix``, subtasks' first parts included
        (TASK-7.1 keeps 7 taken even when TASK-7 is gone); a child number is past its siblings.
        """
        slot = (prefix, parent)
        highest = self._highest.get(slot)
        if highest is None:
            if parent:
                highest = max((parts[-1] for p, parts in self._used if p == prefix and parts[:-1] == parent), default=0)
            else:
                highest = max((parts[0] for p, parts in self._used if p == prefix), default=0)
        highest += 1
        self._highest[slot] = highest
        self._used.append((prefix, (*parent, highest)))
        return (*parent, highest)


@contextmanager
def allocating(lock_path: Path, used: Callable[[], Iterable[UsedId]]) -> Iterator[IdAllocator]:
    """Hold the create lock ``lock_path`` and allocate past the ids ``used()`` lists (read inside it).

    Write every file whose id was handed out before the ``with`` ends: the next holder of
    the lock must see it.
    """
    with file_lock(lock_path):
        yield IdAllocator(used())

"""Writing a rendered file without losing what the user changed.

A target that already holds the same bytes is *unchanged*; one that holds something
else is *kept* unless ``force``; otherwise it is *written* (or *would-write* on a dry run).
"""

from __future__ import annotations

from pathlib import Path

from flowops.errors import StoreError

WRITTEN, WOULD_WRITE, UNCHANGED, KEPT = "written", "would-write", "unchanged", "kept"
STATUSES = (WRITTEN, WOULD_WRITE, UNCHANGED, KEPT)


def write_rendered(target: Path, shown: str, text: str, *, force: bool = False, dry_run: bool = False) -> str:
    """Write ``text`` to ``target`` atomically when allowed; return the status. ``shown`` names it in errors."""
    from flowops.atomic import atomic_write_text

    if target.is_dir():
        raise StoreError("a folder is in the way", path=shown, hint="move the folder away or choose another path")
    if target.exists():
        try:
            current = target.read_bytes()
        except OSError as exc:
            raise StoreError(f"cannot read: {exc}", path=shown) from None
        if current == text.encode("utf-8"):
            return UNCHANGED
        if not force:
            return KEPT
    if dry_run:
        return WOULD_WRITE
    try:
        atomic_write_text(target, text)
    except OSError as exc:
        raise StoreError(f"cannot write: {exc}", path=shown) from None
    return WRITTEN

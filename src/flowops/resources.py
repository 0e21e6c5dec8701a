"""The one way to reach the data that ships with flowops: commands/, hooks/, templates/.

In a wheel they live in ``flowops/_data/<name>``; in a source checkout (editable
install, tests) they are the top-level folders of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder holding the shipped data set ``name`` (commands, hooks or templates)."""
    if name not in {"commands", "hooks", "templates"}:
        raise ValueError(f"unknown data folder {name!r}")
    packaged = _PACKAGE_DIR / "_data" / name
    if packaged.is_dir():
        return packaged
    checkout = _PACKAGE_DIR.parent.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"flowops data folder {name!r} is missing from this installation")

"""Import a package's submodules before, and without, its ``__init__``: it runs on first use.

The ``mcp`` SDK's ``__init__`` imports its client, its high-level server and their
dependencies, and ``mcp.server``'s imports the high-level ``MCPServer``: about a fifth of
the SDK's import time, none of which ``flowops mcp`` uses (the low-level ``Server`` and the
stdio transport are submodules that import what they need themselves). The SDK does not
import its package ``__init__`` for its own use (its modules import submodules by their full
names), and upstream declined lazy imports there (modelcontextprotocol/python-sdk#1617).

:func:`defer_init` registers such a package as a module whose ``__path__`` is set, so
``import mcp.server.stdio`` finds its submodules, and whose ``__init__`` runs, in that very
module, the first time anyone asks it for a name it does not have yet (``mcp.ClientSession``,
``from mcp.server import MCPServer``): code that needs the package's exports still gets
them, only later. No module's code is changed or skipped for good.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from typing import Any

_LOCK = threading.RLock()


def defer_init(name: str) -> bool:
    """Register package ``name`` (its parent first) with its ``__init__`` deferred to first use.

    Returns False, and changes nothing, when the package is already imported or is not a
    regular package found on the path (then a plain import does the usual thing).
    """
    if name in sys.modules:
        return False
    parent, _, child = name.rpartition(".")
    if parent and parent not in sys.modules:
        return False  # find_spec would import the parent with its __init__: defer the parent first
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None or spec.origin is None:
        return False
    module = importlib.util.module_from_spec(spec)  # __spec__, __path__, __file__, __loader__; no code run
    loader = spec.loader

    def __getattr__(attribute: str) -> Any:
        # A name the package's __init__ would define: run the __init__ now, once, in this
        # module (so every reference to the module sees the result), then look again.
        with _LOCK:
            if module.__dict__.get("__getattr__") is __getattr__:
                del module.__dict__["__getattr__"]
                loader.exec_module(module)
        try:
            return module.__dict__[attribute]
        except KeyError:
            raise AttributeError(f"module {name!r} has no attribute {attribute!r}") from None

    module.__dict__["__getattr__"] = __getattr__
    sys.modules[name] = module
    if parent:
        setattr(sys.modules[parent], child, module)
    return True


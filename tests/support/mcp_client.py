"""Drive the real `flowops mcp` server as a subprocess through the SDK's stdio client.

Every session is bounded in time (``anyio.fail_after``) and every request has a read
timeout, so a server that hangs fails its test instead of holding up the suite.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import anyio
from mcp import ClientSession, StdioServerParameters, stdio_client

T = TypeVar("T")
# A session spawns Python, imports the SDK (~0.5-1 s on the shared machine) and flowops.
SESSION_TIMEOUT = 120
REQUEST_TIMEOUT = 60


def server_parameters(root: Path, *args: str) -> StdioServerParameters:
    # The SDK passes a safe subset of the environment (HOME, PATH, ...); add what the test
    # session set for flowops (the crash log goes to a temporary cache folder).
    env = {key: os.environ[key] for key in ("XDG_CACHE_HOME", "FLOWOPS_CACHE_DIR") if key in os.environ}
    return StdioServerParameters(command=sys.executable, args=["-m", "flowops", "mcp", *args], cwd=str(root), env=env)


@asynccontextmanager
async def mcp_session(root: Path, *args: str) -> AsyncIterator[ClientSession]:
    """An initialised client session with a `flowops mcp` started in ``root``."""
    with open(os.devnull, "w") as quiet:  # the server's own start-up line
        async with (stdio_client(server_parameters(root, *args), errlog=quiet) as (read, write),
                    ClientSession(read, write, read_timeout_seconds=REQUEST_TIMEOUT) as session):
            await session.initialize()
            yield session


def with_session(root: Path, scenario: Callable[[ClientSession], Awaitable[T]], *args: str) -> T:
    """Run ``scenario(session)`` against a fresh server in ``root`` and return what it returns."""

    async def main() -> T:
        with anyio.fail_after(SESSION_TIMEOUT):
            async with mcp_session(root, *args) as session:
                return await scenario(session)

    return anyio.run(main)


def structured(result: Any) -> dict:
    """A CallToolResult's structured content (every flowops result has one)."""
    assert result.structured_content is not None, result
    return result.structured_content

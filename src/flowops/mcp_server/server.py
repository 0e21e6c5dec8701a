"""The MCP server over stdio, built on the official ``mcp`` SDK (2.x, low-level ``Server``).

The low-level server is used because flowops already has everything the high-level one
would derive from Python signatures: the tool table with JSON input schemas taken from the
click commands. This is the only flowops module that imports the SDK, and only
``flowops mcp`` imports it.

Calls run in a worker thread, one at a time (``invoke._CALLS``), so the event loop keeps
reading the protocol stream (pings, cancellations, the next request) while a command runs.
"""

# The SDK's imports follow defer_init's calls, which must come first:
# ruff: noqa: E402

from __future__ import annotations

import gc
import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowops.mcp_server.package_init import defer_init

# Start-up is the SDK's import (the `initialize` budget is 0.5 s from spawning the
# process): the packages' __init__s, which import the client and the high-level server,
# run only if something asks for their exports (see package_init).
defer_init("mcp")
defer_init("mcp.server")

import anyio
import anyio.to_thread
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError

from flowops import __version__

# The tools, the command runner and the prompts are imported on first use: `initialize`
# needs none of them.
if TYPE_CHECKING:
    from flowops.mcp_server.invoke import ToolOutcome
    from flowops.mcp_server.tools import Tool
    from flowops.render.prompts import AgentPrompt

INSTRUCTIONS = """\
flowops manages the Backlog.md backlog of this repository and enforces its workflow states.
Every tool runs the flowops command of the same name and returns the document that
`flowops ... --json` prints. A refused call is an error result whose structured content is
{"error": {"exitCode", "kind", "message", "hint"}}: kind "blocked" (exit code 4) means the
task is not in a state the workflow allows (the message names the state required; do not
bypass it unless a person tells you to), "criteria" (3) that acceptance criteria or a
completion gate are not met, "usage" (2) a bad argument or configuration, "failure" (1) a
runtime failure such as an unknown task. A refused call writes nothing (the one exception: a
required event handler that failed after the change, reported as a failure).
Task ids are written TASK-12 (or 12); paths are relative to the project root. Every change
is recorded in the audit log with the source ending in /mcp.
"""

_INVALID_PARAMS = -32602


def _tool_definition(tool: Tool) -> types.Tool:
    from flowops.mcp_server.tools import input_schema

    return types.Tool(
        name=tool.name,
        description=tool.description,
        input_schema=input_schema(tool),
        annotations=types.ToolAnnotations(title=tool.name.replace("_", " "), read_only_hint=tool.read_only),
    )


def _result(outcome: ToolOutcome) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(text=text) for text in outcome.texts()],
        structured_content=outcome.structured(),
        is_error=not outcome.ok,
    )


def build_server() -> Server[Any]:
    """The flowops MCP server: its tools and prompts, not yet connected to a transport."""

    # Built on first use, not before `initialize` is answered: resolving the tools imports
    # the command modules, and the prompts read the command sources.
    @cache
    def definitions() -> list[types.Tool]:
        from flowops.mcp_server.tools import available_tools

        return [_tool_definition(tool) for tool in available_tools()]

    @cache
    def prompts() -> dict[str, AgentPrompt]:
        from flowops.render.prompts import agent_prompts

        return {prompt.name: prompt for prompt in agent_prompts()}

    async def list_tools(ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return types.ListToolsResult(tools=definitions())

    async def call(ctx: ServerRequestContext[Any], params: types.CallToolRequestParams) -> types.CallToolResult:
        from flowops.mcp_server.invoke import call_tool
        from flowops.mcp_server.tools import get_tool

        tool = get_tool(params.name)
        if tool is None:
            known = ", ".join(t.name for t in definitions())
            raise MCPError(code=_INVALID_PARAMS, message=f"unknown tool '{params.name}'; flowops tools: {known}")
        # The command runs in a worker thread; the lock inside call_tool keeps calls one at a time.
        outcome = await anyio.to_thread.run_sync(call_tool, tool, params.arguments)
        return _result(outcome)

    async def list_prompts(ctx: ServerRequestContext[Any],
                           params: types.PaginatedRequestParams | None) -> types.ListPromptsResult:
        return types.ListPromptsResult(prompts=[
            types.Prompt(
                name=prompt.name,
                description=prompt.description,
                arguments=[types.PromptArgument(name=a.name, description=a.description, required=a.required)
                           for a in prompt.arguments],
            )
            for prompt in prompts().values()
        ])

    async def get_prompt(ctx: ServerRequestContext[Any], params: types.GetPromptRequestParams) -> types.GetPromptResult:
        prompt = prompts().get(params.name)
        if prompt is None:
            raise MCPError(code=_INVALID_PARAMS, message=f"unknown prompt '{params.name}'; prompts: {', '.join(prompts())}")
        text = prompt.render(params.arguments or {})
        return types.GetPromptResult(
            description=prompt.description,
            messages=[types.PromptMessage(role="user", content=types.TextContent(text=text))],
        )

    return Server(
        "flowops",
        version=__version__,
        title="flowops",
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call,
        on_list_prompts=list_prompts,
        on_get_prompt=get_prompt,
    )


def serve() -> None:
    """Serve MCP on stdin/stdout until the client closes the stream."""
    server = build_server()

    async def main() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    # flowops.cli.main turns the cyclic collector off for a command's lifetime, which for a
    # server is hours: every failed call leaves a cycle (its exception, traceback and frames,
    # holding what the command loaded: ~50 MB a call on 10,000 tasks) that only the
    # collector frees. Calls still run without it (invoke); what start-up built (the SDK's
    # models) is frozen out of every collection.
    gc.freeze()
    gc.enable()
    print(f"flowops {__version__} MCP server on stdio for {Path.cwd()}", file=sys.stderr, flush=True)
    anyio.run(main)

"""``flowops mcp``: the MCP server coding agents call instead of typing shell commands.

Layout (only ``server`` imports the ``mcp`` SDK, and only ``flowops mcp`` imports ``server``):

- ``tools``: the declarative table of tools, their JSON input schemas (derived from the
  click commands they run) and the argument checks that turn a call into a command line;
- ``invoke``: runs one command line in-process with ``--json``, captures its document and
  maps its exit code to a structured error (the CLI's exit-code contract);
- ``server``: the SDK glue: tools, prompts, the stdio transport;
- ``package_init``: registers the SDK's packages so their ``__init__``s (the client, the
  high-level server) run only if something asks for their exports: start-up time.
"""

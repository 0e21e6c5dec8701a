"""Rendering of shipped data: slash-command sources for coding agents and CI/CD templates.

- ``includes``: ``{{INCLUDE:partials/_name.md}}`` resolution, confined to the commands folder
- ``sources``: the command sources (frontmatter + body) found in the commands folder
- ``agents``: one output format per coding agent (Claude Code, Copilot, Gemini CLI, Cursor, Codex)
- ``install``: writing the rendered commands into a project
- ``templates``: ``{{NAME}}`` placeholders in the GitHub Actions templates
"""

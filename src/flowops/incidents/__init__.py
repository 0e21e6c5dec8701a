"""Incidents and postmortems: from a firing alert to closed action items.

- ``model``: what an incident is in the backlog (labels, states, settings);
- ``timeline``: the ``## Timeline`` section of an incident task;
- ``alertmanager``: reading Alertmanager webhook payloads (version 4);
- ``notifications``: one incident per alert group, idempotent by ``groupKey``;
- ``lifecycle``: open, note, acknowledge, resolve, postmortem, action items;
- ``postmortem``: the postmortem template, its check and its action items;
- ``gate``: what keeps an incident or its postmortem task from being Done;
- ``stats``: the weekly review's numbers;
- ``receiver``: the HTTP receiver of ``flowops incident serve``.

Nothing here prints or exits; ``flowops.cli.incident`` renders.
"""

"""SLOs as code: Sloth and OpenSLO specs to burn-rate alerts, error budgets and runbooks.

- ``specs``: read spec files (``sloth``, ``openslo``) into ``model.SLO`` values, with every
  problem located (file, line, field);
- ``model``: the SLO, durations, and the multiwindow burn-rate policy;
- ``rules``: the Prometheus rule groups, as Sloth names them; ``generate``: the whole file;
- ``budget``: error budgets and how fast each alert spends them;
- ``runbooks``: runbook links and the alerts ``operate`` creates runbooks for;
- ``check``: the ``slo.rules`` check (rules present, current, accepted by promtool).

Nothing here prints or exits; ``flowops.cli.slo`` renders.
"""

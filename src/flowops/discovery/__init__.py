"""Repository discovery: what operations artefacts a repository holds (``flowops discover``).

``flowops.discovery.inventory.discover`` is the entry point; ``files`` decides which
files are searched and reads them safely; ``kubernetes``, ``ci`` and ``monitoring`` know
the artefacts; ``runbooks`` finds flowops' runbook documents in the backlog.
"""

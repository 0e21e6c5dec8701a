"""The ``k8s.*`` checks: production-readiness rules for the Kubernetes objects discovery found.

Each takes optional paths (files or folders) that narrow which workloads are judged;
the objects that serve them (autoscalers, disruption budgets, network policies) are
looked for everywhere. Evidence names the file, the line and the object:
``k8s/app.yaml:31 Deployment/checkout container api: no readinessProbe``.
"""

from __future__ import annotations

from typing import Any

from flowops.checks.arguments import parse_arguments, repository_paths, restrict, whole_number
from flowops.checks.model import Check, CheckContext, CheckResult, Evidence, counted, nothing_found, passed, verdict
from flowops.checks.selectors import is_empty, selects
from flowops.discovery.kubernetes import PROBED_KINDS, SCALABLE_KINDS, Container, Manifest

CLUSTER_ADMIN = "cluster-admin"


def _scope(check: str, args: list[str], options: dict | None = None) -> tuple[dict, list[str]]:
    parsed = parse_arguments(check, args, options)
    return parsed.options, repository_paths(check, parsed.positional)


def _where(paths: list[str]) -> str:
    return f" under {', '.join(paths)}" if paths else ""


def _workloads(ctx: CheckContext, paths: list[str], kinds: tuple[str, ...] | None = None) -> list[Manifest]:
    found = ctx.inventory().workloads
    if kinds is not None:
        found = [m for m in found if m.kind in kinds]
    return restrict(found, paths, lambda m: m.path)


def _scoped_workloads(check: str, ctx: CheckContext, args: list[str], kinds: tuple[str, ...] | None = None, *,
                      options: dict | None = None) -> tuple[dict, list[Manifest], CheckResult | None]:
    """The check's options, the workloads (of ``kinds``) under its paths and, when there are none, its result."""
    parsed, paths = _scope(check, args, options)
    workloads = _workloads(ctx, paths, kinds)
    if workloads:
        return parsed, workloads, None
    return parsed, workloads, nothing_found((_kinds(kinds) if kinds else "Kubernetes workloads") + _where(paths))


def _kinds(kinds: tuple[str, ...]) -> str:
    return "Kubernetes " + "/".join(kinds) + " workloads"


def _set(value: Any) -> bool:
    return value is not None and value != "" and not isinstance(value, (dict, list))


def check_resources(ctx: CheckContext, args: list[str]) -> CheckResult:
    _options, workloads, nothing = _scoped_workloads("k8s.resources", ctx, args)
    if nothing is not None:
        return nothing
    problems: list[Evidence] = []
    containers = 0
    for workload in workloads:
        found = list(workload.containers())
        if not found:
            problems.append(Evidence(workload.path, workload.line, f"{workload.ref}: no containers in its pod template"))
        for container in found:
            containers += 1
            missing = _missing_resources(container.data)
            if missing:
                problems.append(_about(workload, container, f"no {', '.join(missing)}"))
    ok = f"{_of(containers, workloads)} with cpu and memory requests and limits"
    return verdict(problems, ok,
                   "{count} container{s} without cpu and memory requests and limits")


def _missing_resources(container: dict) -> list[str]:
    resources = container.get("resources")
    resources = resources if isinstance(resources, dict) else {}
    missing = []
    for kind in ("requests", "limits"):
        section = resources.get(kind)
        section = section if isinstance(section, dict) else {}
        missing += [f"{kind}.{name}" for name in ("cpu", "memory") if not _set(section.get(name))]
    return missing


def check_probes(ctx: CheckContext, args: list[str]) -> CheckResult:
    _options, workloads, nothing = _scoped_workloads("k8s.probes", ctx, args, PROBED_KINDS)
    if nothing is not None:
        return nothing
    problems: list[Evidence] = []
    containers = 0
    for workload in workloads:
        for container in workload.containers(init=False):
            containers += 1
            missing = [p for p in ("readinessProbe", "livenessProbe") if not isinstance(container.data.get(p), dict)]
            if missing:
                problems.append(_about(workload, container, f"no {' and no '.join(missing)}"))
    return verdict(problems, f"{_of(containers, workloads)} with readiness and liveness probes",
                   "{count} container{s} without readiness or liveness probes")


def check_hpa(ctx: CheckContext, args: list[str]) -> CheckResult:
    options, workloads, nothing = _scoped_workloads("k8s.hpa", ctx, args, SCALABLE_KINDS, options={"min": whole_number})
    if nothing is not None:
        return nothing
    minimum = int(options.get("min", 2))
    scalers = _scalers(ctx)
    problems: list[Evidence] = []
    found: list[Evidence] = []
    for workload in workloads:
        mine = [s for s in scalers if s[0].effective_namespace == workload.effective_namespace
                and s[1] == workload.kind and s[2] == workload.name]
        if not mine:
            problems.append(Evidence(workload.path, workload.line,
                                     f"{workload.ref}: no HorizontalPodAutoscaler has it as scaleTargetRef"))
            continue
        scaler, _kind, _name, low, high, field = mine[0]
        where = f"{scaler.ref} ({scaler.path}:{scaler.line})"
        if low < minimum:
            problems.append(Evidence(scaler.path, scaler.line_of(*field),
                                     f"{scaler.ref} lets {workload.ref} scale down to {counted(low, 'replica')}; "
                                     f"at least {minimum} are required"))
        elif high is not None and high < low:
            problems.append(Evidence(scaler.path, scaler.line, f"{scaler.ref}: maxReplicas {high} is below minReplicas {low}"))
        else:
            found.append(Evidence(workload.path, workload.line, f"{workload.ref}: {where} keeps {low} to {high} replicas"))
    if problems:
        return verdict(problems, "", "{count} workload{s} without an autoscaler keeping " + f"{minimum} or more replicas")
    return passed(f"{counted(len(workloads), 'workload')} autoscaled with at least {minimum} replicas", found)


def _scalers(ctx: CheckContext) -> list[tuple[Manifest, str | None, str | None, int, int | None, tuple]]:
    """(object, target kind, target name, min replicas, max replicas, field of the minimum) per autoscaler."""
    found = []
    for hpa in ctx.inventory().kind("HorizontalPodAutoscaler"):
        ref = hpa.get("spec", "scaleTargetRef") or {}
        low = hpa.get("spec", "minReplicas")
        found.append((hpa, _str(ref.get("kind")), _str(ref.get("name")), low if isinstance(low, int) else 1,
                      _int(hpa.get("spec", "maxReplicas")), ("spec", "minReplicas") if low is not None else ("spec",)))
    # KEDA scales through an HPA it creates from a ScaledObject; the target kind defaults to Deployment.
    for scaled in ctx.inventory().kind("ScaledObject"):
        ref = scaled.get("spec", "scaleTargetRef") or {}
        low = scaled.get("spec", "minReplicaCount")
        found.append((scaled, _str(ref.get("kind")) or "Deployment", _str(ref.get("name")),
                      low if isinstance(low, int) else 0, _int(scaled.get("spec", "maxReplicaCount")),
                      ("spec", "minReplicaCount") if low is not None else ("spec",)))
    return found


def check_pdb(ctx: CheckContext, args: list[str]) -> CheckResult:
    _options, workloads, nothing = _scoped_workloads("k8s.pdb", ctx, args, SCALABLE_KINDS)
    if nothing is not None:
        return nothing
    budgets = ctx.inventory().kind("PodDisruptionBudget")
    problems: list[Evidence] = []
    found: list[Evidence] = []
    for workload in workloads:
        labels = workload.pod_labels
        mine = [b for b in budgets if b.effective_namespace == workload.effective_namespace
                and selects(b.get("spec", "selector"), labels)]
        if not mine:
            shown = ", ".join(f"{k}={v}" for k, v in labels.items()) or "none"
            problems.append(Evidence(workload.path, workload.line,
                                     f"{workload.ref}: no PodDisruptionBudget selects its pods (labels: {shown})"))
            continue
        budget = mine[0]
        blocking = _blocks_drains(budget)
        if blocking:
            problems.append(Evidence(budget.path, budget.line_of("spec"), f"{budget.ref} (for {workload.ref}): {blocking}"))
        else:
            found.append(Evidence(workload.path, workload.line, f"{workload.ref}: {budget.ref} ({budget.path}:{budget.line})"))
    if problems:
        return verdict(problems, "", "{count} workload{s} without a usable PodDisruptionBudget")
    return passed(f"{counted(len(workloads), 'workload')} with a PodDisruptionBudget", found)


def _blocks_drains(budget: Manifest) -> str | None:
    # A budget that allows no disruption at all makes every node drain hang.
    unavailable = budget.get("spec", "maxUnavailable")
    if unavailable in (0, "0", "0%"):
        return "maxUnavailable: 0 allows no voluntary disruption, so node drains hang"
    if budget.get("spec", "minAvailable") == "100%":
        return "minAvailable: 100% allows no voluntary disruption, so node drains hang"
    return None


def check_netpol(ctx: CheckContext, args: list[str]) -> CheckResult:
    _options, workloads, nothing = _scoped_workloads("k8s.netpol", ctx, args)
    if nothing is not None:
        return nothing
    namespaces: dict[str, list[Manifest]] = {}
    for workload in workloads:
        namespaces.setdefault(workload.effective_namespace, []).append(workload)
    policies = ctx.inventory().kind("NetworkPolicy")
    problems: list[Evidence] = []
    found: list[Evidence] = []
    for namespace, members in namespaces.items():
        mine = [p for p in policies if p.effective_namespace == namespace]
        deny = [p for p in mine if _default_deny(p) is None]
        first = members[0]
        refs = ", ".join(m.ref for m in members[:3]) + (f" and {len(members) - 3} more" if len(members) > 3 else "")
        if deny:
            found.append(Evidence(deny[0].path, deny[0].line, f"namespace {namespace}: {deny[0].ref} denies ingress by default"))
            continue
        near = [f"{p.ref}: {_default_deny(p)}" for p in mine if p.get("spec") is not None]
        detail = f" ({'; '.join(near)})" if near else ""
        problems.append(Evidence(first.path, first.line,
                                 f"namespace {namespace} (workloads {refs}): no NetworkPolicy with podSelector: {{}} "
                                 f"and Ingress in its policyTypes denies ingress by default{detail}"))
    if problems:
        return verdict(problems, "", "{count} namespace{s} without a default-deny ingress NetworkPolicy")
    return passed(f"{counted(len(namespaces), 'namespace')} with workloads, all denying ingress by default", found)


def _default_deny(policy: Manifest) -> str | None:
    """None when ``policy`` denies all ingress by default, else why it does not."""
    spec = policy.get("spec")
    if not isinstance(spec, dict):
        return "no spec"
    if not is_empty(spec.get("podSelector")):
        return "its podSelector selects only some pods"
    types = spec.get("policyTypes")
    if types is None:
        types = ["Ingress"]  # the API server's default when policyTypes is left out
    if not isinstance(types, list) or "Ingress" not in types:
        return "Ingress is not in its policyTypes"
    rules = spec.get("ingress") or []
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        sources = rule.get("from") if isinstance(rule, dict) else None
        if not sources or any(isinstance(s, dict) and not s for s in sources):
            return f"its ingress rule {index + 1} allows every source"
    return None


def check_rbac(ctx: CheckContext, args: list[str]) -> CheckResult:
    _options, paths = _scope("k8s.rbac", args)
    inventory = ctx.inventory()
    roles = restrict(inventory.kind("Role", "ClusterRole"), paths, lambda m: m.path)
    bindings = restrict(inventory.kind("RoleBinding", "ClusterRoleBinding"), paths, lambda m: m.path)
    if not roles and not bindings:
        return nothing_found("Role, ClusterRole, RoleBinding or ClusterRoleBinding" + _where(paths))
    problems: list[Evidence] = []
    for role in roles:
        rules = role.get("rules")
        for index, rule in enumerate(rules if isinstance(rules, list) else []):
            if not isinstance(rule, dict):
                continue
            for field in ("resources", "verbs"):
                values = rule.get(field)
                if isinstance(values, list) and "*" in [str(v) for v in values]:
                    problems.append(Evidence(role.path, role.line_of("rules", index, field),
                                             f"{role.ref} rule {index + 1}: wildcard '*' in {field}"))
    for binding in bindings:
        ref = binding.get("roleRef") or {}
        if _str(ref.get("name")) == CLUSTER_ADMIN and _str(ref.get("kind")) in (None, "ClusterRole"):
            subjects = binding.get("subjects")
            names = ", ".join(f"{s.get('kind')}/{s.get('name')}" for s in subjects if isinstance(s, dict)) \
                if isinstance(subjects, list) else "no subjects"
            problems.append(Evidence(binding.path, binding.line_of("roleRef"),
                                     f"{binding.ref} binds cluster-admin to {names or 'no subjects'}"))
    ok = f"{counted(len(roles), 'role')} without wildcards, {counted(len(bindings), 'binding')} without cluster-admin"
    return verdict(problems, ok,
                   "{count} wildcard rule{s} or cluster-admin binding{s}")


def check_nonroot(ctx: CheckContext, args: list[str]) -> CheckResult:
    _options, workloads, nothing = _scoped_workloads("k8s.nonroot", ctx, args)
    if nothing is not None:
        return nothing
    problems: list[Evidence] = []
    containers = 0
    for workload in workloads:
        pod = (workload.pod_spec or {}).get("securityContext")
        pod = pod if isinstance(pod, dict) else {}
        for container in workload.containers():
            containers += 1
            own = container.data.get("securityContext")
            own = own if isinstance(own, dict) else {}
            issues = []
            # The container's setting wins over the pod's, as in the kubelet.
            non_root = own["runAsNonRoot"] if "runAsNonRoot" in own else pod.get("runAsNonRoot")
            if non_root is not True:
                issues.append("runAsNonRoot: false" if non_root is False else "runAsNonRoot is not set to true")
            user = own["runAsUser"] if "runAsUser" in own else pod.get("runAsUser")
            if user == 0:
                issues.append("runAsUser: 0 (root)")
            if own.get("privileged") is True:
                issues.append("privileged: true")
            if own.get("allowPrivilegeEscalation") is True:
                issues.append("allowPrivilegeEscalation: true")
            if issues:
                problems.append(_about(workload, container, ", ".join(issues)))
    return verdict(problems, f"{_of(containers, workloads)} running as non-root, unprivileged",
                   "{count} container{s} that may run as root or with privileges")


def _about(workload: Manifest, container: Container, problem: str) -> Evidence:
    """Evidence naming the container where the manifest declares it, e.g. ``Deployment/web container app: ...``."""
    return Evidence(workload.path, workload.line_of(*container.at), f"{workload.ref} {container.role} {container.name}: {problem}")


def _of(containers: int, workloads: list[Manifest]) -> str:
    return f"{counted(containers, 'container')} of {counted(len(workloads), 'workload')}"


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _validator(check: str, options: dict | None = None):
    def validate(args: list[str]) -> None:
        _scope(check, args, options)

    return validate


CHECKS = (
    Check("k8s.resources", "every container and init container of every workload sets requests and limits for cpu "
          "and memory", check_resources, "k8s.resources [PATH...]", _validator("k8s.resources"),
          reads="Kubernetes workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod, Rollout)"),
    Check("k8s.probes", "every container of a Deployment, StatefulSet or DaemonSet has a readinessProbe and a "
          "livenessProbe", check_probes, "k8s.probes [PATH...]", _validator("k8s.probes"),
          reads="Deployments, StatefulSets and DaemonSets"),
    Check("k8s.hpa", "every Deployment and StatefulSet is the scaleTargetRef of a HorizontalPodAutoscaler with "
          "minReplicas of 2 or more", check_hpa, "k8s.hpa [--min N] [PATH...]", _validator("k8s.hpa", {"min": whole_number}),
          reads="Deployments, StatefulSets, HorizontalPodAutoscalers and KEDA ScaledObjects"),
    Check("k8s.pdb", "every Deployment and StatefulSet's pods are selected by a PodDisruptionBudget that allows "
          "some disruption", check_pdb, "k8s.pdb [PATH...]", _validator("k8s.pdb"),
          reads="Deployments, StatefulSets and PodDisruptionBudgets"),
    Check("k8s.netpol", "every namespace with workloads has a NetworkPolicy selecting all pods (podSelector: {}) "
          "that denies ingress by default", check_netpol, "k8s.netpol [PATH...]", _validator("k8s.netpol"),
          reads="workloads and NetworkPolicies, by namespace"),
    Check("k8s.rbac", "no Role or ClusterRole rule has '*' in verbs or resources, and no binding grants cluster-admin",
          check_rbac, "k8s.rbac [PATH...]", _validator("k8s.rbac"),
          reads="Roles, ClusterRoles, RoleBindings and ClusterRoleBindings"),
    Check("k8s.nonroot", "every container runs with runAsNonRoot: true (the container's setting wins over the pod's), "
          "not privileged, allowPrivilegeEscalation not true", check_nonroot, "k8s.nonroot [PATH...]",
          _validator("k8s.nonroot"), reads="Kubernetes workloads' pod and container securityContext"),
)

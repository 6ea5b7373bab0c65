"""Whose cgroup driver kubelet really uses: its own ``cgroupDriver``, or the runtime's.

With the ``KubeletCgroupDriverFromCRI`` feature gate (alpha in 1.28, on by default from 1.31, GA
and locked on in 1.34; KEP-4033), kubelet asks the runtime at start (CRI ``RuntimeConfig``).  A
runtime that answers (containerd 2.0 and later, CRI-O 1.28 and later) decides, and kubelet's
``cgroupDriver`` / ``--cgroup-driver`` is ignored; a runtime that does not (containerd 1.7 and
older answer "unimplemented") leaves kubelet's own setting in force.  containerd reports the
driver of its default runc handler: ``SystemdCgroup = true`` is systemd, anything else cgroupfs.

The runtime is the one kubelet's ``containerRuntimeEndpoint`` names, else containerd when the node
configures it (kubelet's default endpoint is ``unix:///run/containerd/containerd.sock``:
pkg/kubelet/apis/config/v1beta1/defaults.go).

The verdict depends on versions nodelint may not know (declared, pinned, dpkg, build info);
when it cannot tell, rules judge kubelet's own setting and say what they assumed.
"""
from __future__ import annotations

from ..values.record import record

GATE = "KubeletCgroupDriverFromCRI"
ON_BY_DEFAULT = (1, 31)
LOCKED_ON = (1, 34)
SINCE = (1, 28)
CONTAINERD_REPORTS = (2, 0)
ASSUMED = ("assuming kubelet's own setting decides: kubelet before 1.31, or containerd before 2.0; with "
           "kubelet 1.31+ and containerd 2.0+ or CRI-O 1.28+ kubelet takes the runtime's driver instead")


@record(frozen=True)
class DriverSource:
    decides: str  # "runtime": kubelet takes the runtime's driver; "kubelet": its own; "unknown"
    runtime: str | None  # containerd, CRI-O or Docker: the runtime kubelet talks to, when known
    why: str  # the versions or gate the verdict rests on, for messages

    @property
    def note(self) -> str:
        """What a finding about kubelet's own setting should add: the assumption, when unknown."""
        return f" ({self.why})" if self.decides == "unknown" else ""


def driver_source(node, kubelet) -> DriverSource:
    """Whose driver a kubelet of ``node`` uses, from the versions and feature gates known; worked
    out once per node and kubelet (node.memo is cleared when a fix changes a document): NL105 and
    NL112 both ask."""
    known = node.memo.get(("driver_source", id(kubelet)))
    if known is None or known[0] is not kubelet:
        known = node.memo[("driver_source", id(kubelet))] = (kubelet, _driver_source(node, kubelet))
    return known[1]


def _driver_source(node, kubelet) -> DriverSource:
    runtime = _runtime(node, kubelet)
    kubelet_version = _version(node, "kubelet")
    gate = _gate(kubelet)
    if kubelet_version is not None and kubelet_version >= LOCKED_ON:
        gate_on = True
    elif gate is not None:
        gate_on = gate and (kubelet_version is None or kubelet_version >= SINCE)
    elif kubelet_version is not None:
        gate_on = kubelet_version >= ON_BY_DEFAULT
    else:
        gate_on = None
    kubelet_text = f"kubelet {'.'.join(map(str, kubelet_version))}" if kubelet_version else "kubelet"
    if gate_on is False:
        why = f"{GATE} is off" if gate is False else f"{kubelet_text} predates {GATE}"
        return DriverSource("kubelet", runtime, why)
    reports = _runtime_reports(node, runtime)
    if reports is False:
        return DriverSource("kubelet", runtime, f"{_runtime_text(node, runtime)} does not report its driver")
    if gate_on and reports:
        return DriverSource("runtime", runtime, f"{kubelet_text} with {GATE}, {_runtime_text(node, runtime)} "
                            "reports its driver")
    if gate_on:
        unknown = "its version" if runtime else "which runtime kubelet talks to"
        return DriverSource("unknown", runtime, f"assuming kubelet's own setting decides: {kubelet_text} takes the "
                            f"runtime's driver from containerd 2.0+ or CRI-O 1.28+, and {unknown} is not known")
    return DriverSource("unknown", runtime, ASSUMED)


def _version(node, component: str) -> tuple[int, ...] | None:
    from .versions import known_minor

    return known_minor(node, component)


def _runtime(node, kubelet) -> str | None:
    from .kubelet import runtime_endpoint

    named = runtime_endpoint(kubelet) if kubelet is not None else None
    if named is not None:
        return named
    present = [name for name, kind in (("containerd", "containerd"), ("CRI-O", "crio"), ("Docker", "docker"))
               if node.of_kind(kind)]
    if "containerd" in present:  # kubelet's default containerRuntimeEndpoint is containerd's socket (1.27+)
        return "containerd"
    return present[0] if len(present) == 1 else None


def _runtime_reports(node, runtime: str | None) -> bool | None:
    """Whether the runtime answers RuntimeConfig: containerd from 2.0; CRI-O 1.28 and later (every
    supported CRI-O); Docker through cri-dockerd: not known."""
    if runtime == "containerd":
        version = _version(node, "containerd")
        return None if version is None else version >= CONTAINERD_REPORTS
    if runtime == "CRI-O":
        return True
    return None


def _runtime_text(node, runtime: str | None) -> str:
    version = _version(node, "containerd") if runtime == "containerd" else None
    return f"{runtime} {'.'.join(map(str, version))}" if version else (runtime or "the runtime")


def _gate(kubelet) -> bool | None:
    """The gate's value when the kubelet's config or flags set it."""
    if kubelet is None:
        return None
    value = None
    for source in kubelet.sources("featureGates", "feature-gates"):
        if isinstance(source.value, dict):
            if GATE in source.value:
                value = source.value[GATE]
        elif isinstance(source.value, str):
            for item in source.value.split(","):
                name, _, setting = item.strip().partition("=")
                if name.strip() == GATE:
                    value = setting.strip().lower()
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value)
    return value if isinstance(value, bool) else None


def kubelet_driver(node, kubelet=None) -> str | None:
    """The cgroup driver a kubelet of the node uses: the runtime's when it decides (containerd's
    default runc handler), else kubelet's own setting (cgroupfs when unset); None when unknown."""
    from .kubelet import kubelets

    for k in [kubelet] if kubelet is not None else kubelets(node):
        if driver_source(node, k).decides == "runtime":
            from .runtime_drivers import runtime_drivers

            runtime = driver_source(node, k).runtime
            drivers = {d for name, d, *_ in runtime_drivers(node) if name == runtime}
            return drivers.pop() if len(drivers) == 1 else None
        winner = k.winner("cgroupDriver", "cgroup-driver")
        return winner.value if winner is not None else "cgroupfs"
    return None

"""NL209: kubelet's memorySwap.swapBehavior is one it cannot apply on this node.

## What it does
Reads kubelet's ``memorySwap.swapBehavior`` and reports:

- ``UnlimitedSwap`` (error): removed in kubelet 1.30; the config then fails validation and
  kubelet does not start.  When kubelet's version is not known, the finding says it assumes
  1.30 or later;
- ``LimitedSwap`` on a node that boots cgroup v1 (``systemd.unified_cgroup_hierarchy=0`` on the
  kernel command line, or the live host; see NL113) (warning): swap for pods needs cgroup v2,
  and kubelet quietly applies ``NoSwap`` instead.

## Why it matters
Swap for pods is a deliberate choice (``failSwapOn: false``); a behaviour kubelet refuses stops
the node, and one it quietly replaces gives pods none of the swap they were sized for.

## Example
Bad:
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: systemd
failSwapOn: false
memorySwap:
  swapBehavior: UnlimitedSwap
```
Good:
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: systemd
failSwapOn: false
memorySwap:
  swapBehavior: LimitedSwap
```

## Fix
No automatic fix: choose ``LimitedSwap`` or ``NoSwap`` (the default), and boot cgroup v2 for
``LimitedSwap`` to take effect.

## References
- KEP-2400, node swap (NoSwap, LimitedSwap; UnlimitedSwap removed; cgroup v2 only): https://github.com/kubernetes/enhancements/blob/64765b4b02389318f2113119dd9e491479f978a0/keps/sig-node/2400-node-swap/README.md#L472-L503
- UnlimitedSwap removed in 1.30: https://github.com/kubernetes/kubernetes/pull/122745
"""
from __future__ import annotations

from ..models.cgroup_version import configured_v1, live_v1
from ..models.kubelet import kubelets
from ..models.versions import known_minor
from . import finding

CODE = "NL209"
NAME = "swap-behavior-unsupported"
SEVERITY = "error"
FIXABLE = False
SUMMARY = "kubelet memorySwap.swapBehavior is removed (UnlimitedSwap) or needs cgroup v2 (LimitedSwap)"
KINDS = ("kubelet",)
SCOPE = "node"


def check(node, settings):
    version = known_minor(node, "kubelet")
    for kubelet in kubelets(node):
        source = kubelet.winner("memorySwap", "memory-swap")
        behavior = source.value.get("swapBehavior") if source is not None and isinstance(source.value, dict) else None
        if not isinstance(behavior, str):
            continue
        key = source.key + ("swapBehavior",)
        if behavior == "UnlimitedSwap" and (version is None or version >= (1, 30)):
            assumed = "" if version else " (assuming kubelet 1.30 or later)"
            yield finding(CODE, "error", source.doc, key, "swapBehavior UnlimitedSwap was removed in kubelet 1.30: the "
                          f"config fails validation and kubelet does not start{assumed}; use LimitedSwap or NoSwap",
                          at_value=True)
        elif behavior == "LimitedSwap" and node.is_view:
            evidence = configured_v1(node) or live_v1(node, settings)
            if evidence:
                e = evidence[0]
                yield finding(CODE, "warning", source.doc, key, f"swapBehavior LimitedSwap needs cgroup v2, but {e.what} "
                              f"boots cgroup v1 ({e.path}:{e.line}): kubelet applies NoSwap instead", at_value=True)

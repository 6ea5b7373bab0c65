"""NL208: the node turns swap on and kubelet refuses to start with swap (failSwapOn).

## What it does
On a node view with a kubelet, finds what turns swap on at boot: an ``/etc/fstab`` entry of type
``swap`` (without ``noauto``: systemd's fstab generator activates it), an enabled ``.swap`` unit
(linked in ``swap.target.wants``), or zram-generator's config with a ``[zramN]`` section
(``/etc/systemd/zram-generator.conf``, else ``/usr/lib/systemd/zram-generator.conf``, which
Fedora's ``zram-generator-defaults`` ships); with ``--live``, ``/proc/swaps``.  Reports it when
kubelet's ``failSwapOn`` (``--fail-swap-on``) is true, its default.

## Why it matters
kubelet reads ``/proc/swaps`` at start and stops: "running with swap on is not supported, please
disable swap or set --fail-swap-on flag to false".  An image that enables swap (a cloud image's
swap file, Fedora's zram default) never joins the cluster.

## Example
``etc/fstab``, with a kubelet config that does not set ``failSwapOn``:
```ini
/swapfile none swap sw 0 0
```
```console
etc/fstab:1:1: NL208 error the fstab swap entry /swapfile turns swap on at boot, and kubelet stops when it finds swap (failSwapOn is true by default): remove the swap, or set failSwapOn: false and choose memorySwap.swapBehavior
```

## Fix
No automatic fix: remove the swap (the fstab line, ``systemctl disable`` the unit, an empty
``/etc/systemd/zram-generator.conf``), or run with swap on purpose: ``failSwapOn: false`` and
``memorySwap.swapBehavior`` (``NoSwap`` or ``LimitedSwap``, cgroup v2 only: NL209).

## References
- kubelet's swap check (/proc/swaps, the error text): https://github.com/kubernetes/kubernetes/blob/29535c0463d7bc44900b479df5e08c5465604584/pkg/kubelet/util/swap/swap_util.go#L92-L131
- KEP-2400, node swap (failSwapOn, swapBehavior): https://github.com/kubernetes/enhancements/blob/64765b4b02389318f2113119dd9e491479f978a0/keps/sig-node/2400-node-swap/README.md#L472-L503
- systemd-fstab-generator (swap entries become .swap units unless noauto): https://www.freedesktop.org/software/systemd/man/latest/systemd-fstab-generator.html
- zram-generator's configuration (/etc replaces /usr/lib; an empty file disables): https://github.com/systemd/zram-generator/blob/main/zram-generator.conf.example
"""
from __future__ import annotations

from ..models.kubelet import kubelets
from ..models.swap import swap_sources
from ..values.findings import Finding, Related

CODE = "NL208"
NAME = "kubelet-fails-on-swap"
SEVERITY = "error"
FIXABLE = False
SUMMARY = "The node turns swap on and kubelet refuses to start with swap (failSwapOn)"
KINDS = ("fstab", "swap-unit")
SCOPE = "node"


def fails_on_swap(kubelet):
    """(whether kubelet stops on swap, the setting that says so or None for the default)."""
    setting = kubelet.winner("failSwapOn", "fail-swap-on")
    if setting is None:
        return True, None
    value = setting.value
    if isinstance(value, str):
        value = {"true": True, "false": False}.get(value.strip().lower(), True)
    return bool(value), setting


def check(node, settings):
    if not node.is_view:
        return
    kubelet_list = kubelets(node)
    if not kubelet_list:
        return
    sources = swap_sources(node, settings)
    if not sources:
        return
    fails, setting = fails_on_swap(kubelet_list[0])
    if not fails:
        return
    why = "failSwapOn is true by default" if setting is None else f"failSwapOn is {setting.value} ({setting.describe()})"
    related = () if setting is None else (Related(setting.doc.path, setting.position.line, setting.position.column,
                                                  "kubelet's failSwapOn"),)
    for s in sources:
        yield Finding(CODE, SEVERITY, s.path, s.line, s.column,
                      f"{s.what}, and kubelet stops when it finds swap ({why}): remove the swap, "
                      "or set failSwapOn: false and choose memorySwap.swapBehavior", related=related)

"""NL404: kubelet hands pods a resolv.conf whose nameserver is the node itself (loopback).

## What it does
On a node view with a filesystem (``--root``, or a repo tree that mirrors a node), finds the
file kubelet gives pods with ``dnsPolicy: Default`` (its ``resolvConf``, ``--resolv-conf``;
``/etc/resolv.conf`` when unset) and reports it when that file is systemd-resolved's stub
(``/etc/resolv.conf`` linked to ``/run/systemd/resolve/stub-resolv.conf``) or lists a loopback
nameserver (``127.0.0.0/8``, ``::1``: systemd-resolved's 127.0.0.53, a local dnsmasq).

## Why it matters
Inside a pod, a loopback address is the pod itself.  CoreDNS runs with ``dnsPolicy: Default``
and forwards to the node's nameservers: with the stub it forwards to itself, its ``loop`` plugin
detects the loop and halts, and CoreDNS goes into CrashLoopBackOff: cluster DNS is down on every
node built from the image.  kubeadm avoids it when systemd-resolved is running as it writes the
kubelet config; a pre-baked config, or a resolved enabled later, does not.

## Example
``var/lib/kubelet/config.yaml`` on an image whose ``/etc/resolv.conf`` links to
``../run/systemd/resolve/stub-resolv.conf``:
```yaml
kind: KubeletConfiguration
cgroupDriver: systemd
```
```console
var/lib/kubelet/config.yaml:1:1: NL404 error kubelet gives pods /etc/resolv.conf, systemd-resolved's stub (nameserver 127.0.0.53): CoreDNS forwards to itself and its loop plugin halts it; set resolvConf: /run/systemd/resolve/resolv.conf
```

## Fix
Safe where the file is systemd-resolved's stub: sets ``resolvConf:
/run/systemd/resolve/resolv.conf`` (the upstream servers resolved itself uses) in the kubelet
config, as kubeadm does.  A loopback nameserver of another resolver (dnsmasq) has no fix here:
point ``resolvConf`` at a file listing the real upstream servers.

## References
- CoreDNS loop plugin, "Troubleshooting Loops In Kubernetes Clusters": https://github.com/coredns/coredns/blob/v1.14.7/plugin/loop/README.md#L70-L93
- kubeadm sets ``resolvConf: /run/systemd/resolve/resolv.conf`` when systemd-resolved is active: https://github.com/kubernetes/kubernetes/blob/78acd4d422b2bd9cda806bc079bbc9d48736352c/cmd/kubeadm/app/componentconfigs/kubelet_unix.go#L37-L53
- kubelet ``resolvConf`` (default ``/etc/resolv.conf``): https://github.com/kubernetes/kubernetes/blob/001332b0422071acf4860769f18e34b5e9b7c1bc/staging/src/k8s.io/kubelet/config/v1beta1/types.go
- Kubernetes, debugging DNS resolution (known issues: systemd-resolved): https://kubernetes.io/docs/tasks/administer-cluster/dns-debugging-resolution/#known-issues
"""
from __future__ import annotations

from ..models.kubelet import config_documents, kubelets
from ..read.files import read_head
from ..read.kinds import templated_value
from ..values.edits import SetKey
from ..values.findings import Fix
from . import finding

CODE = "NL404"
NAME = "kubelet-resolv-conf-loopback"
SEVERITY = "error"
FIXABLE = True
SUMMARY = "kubelet gives pods a resolv.conf with a loopback nameserver (CoreDNS forwards to itself)"
KINDS = ("kubelet", "kubelet-env", "systemd")
SCOPE = "node"

STUB = "run/systemd/resolve/stub-resolv.conf"
UPSTREAM = "/run/systemd/resolve/resolv.conf"


def _loopback_nameservers(text: str) -> list[str]:
    import ipaddress  # here, not at the top: only a node with a resolv.conf to read needs it (1-2 ms)

    out = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "nameserver":
            try:
                if ipaddress.ip_address(parts[1].split("%")[0]).is_loopback:
                    out.append(parts[1])
            except ValueError:
                continue
    return out


def check(node, settings):
    if node.fs is None or not node.is_view:
        return
    for kubelet in kubelets(node):
        winner = kubelet.winner("resolvConf", "resolv-conf")
        path = winner.value if winner is not None else "/etc/resolv.conf"
        if not isinstance(path, str) or not path.startswith("/") or templated_value(path):
            continue
        node_path = path.lstrip("/")
        try:
            real = node.fs.resolve(node_path)
        except OSError:
            continue
        stub = real.replace("\\", "/").endswith("/" + STUB) or node_path == STUB
        loopback = _loopback_nameservers(read_head(real, 65536).decode("utf-8", "replace"))
        if not stub and not loopback:
            continue
        what = "systemd-resolved's stub (nameserver 127.0.0.53)" if stub else \
            f"a file whose nameserver is the node itself ({', '.join(loopback)})"
        fix = None
        if stub or loopback == ["127.0.0.53"]:
            target = winner.set_to(UPSTREAM) if winner is not None else _added(kubelet)
            fix = Fix((target,), f"set resolvConf: {UPSTREAM}") if target is not None else None
        message = (f"kubelet gives pods {path}, {what}: CoreDNS forwards to itself and its loop plugin halts it; "
                   + (f"set resolvConf: {UPSTREAM}" if fix or stub else "point resolvConf at the real upstream servers"))
        if winner is not None:
            yield finding(CODE, SEVERITY, winner.doc, winner.key, message, fix, at_value=True)
        elif kubelet.config is not None and config_documents(kubelet.config):
            prefix = config_documents(kubelet.config)[0][0]
            yield finding(CODE, SEVERITY, kubelet.config, prefix + ("kind",), message, fix)


def _added(kubelet):
    if kubelet.config is None or not config_documents(kubelet.config):
        return None
    prefix = config_documents(kubelet.config)[0][0]
    return SetKey(kubelet.config.path, prefix + ("resolvConf",), UPSTREAM)

"""NL105: kubelet's cgroup driver is not systemd.

## What it does
Finds the place that decides kubelet's ``cgroupDriver`` and reports it when it is not
the target driver:

1. ``--cgroup-driver`` flags (in the kubelet unit's ``ExecStart``, its ``Environment=``
   and ``EnvironmentFile=`` files such as ``/etc/default/kubelet``,
   ``/etc/sysconfig/kubelet`` and ``kubeadm-flags.env``): flags beat every file, the
   last one wins;
2. drop-ins in the ``--config-dir`` (e.g. ``/etc/kubernetes/kubelet.conf.d/*.conf``),
   the last in path order wins;
3. the KubeletConfiguration file (YAML or JSON, ``--config``);
4. nothing: kubelet's default is ``cgroupfs``.

A KubeletConfiguration that does not set ``cgroupDriver`` is therefore a finding.

Since kubelet 1.31 the ``KubeletCgroupDriverFromCRI`` feature (on by default; GA and locked
on in 1.34) asks the runtime instead, when the runtime reports its driver (containerd 2.0+,
CRI-O 1.28+); older kubelets, a gate turned off (``featureGates``, ``--feature-gates``) and
containerd 1.x leave the configured value in force.  When the versions nodelint knows
(declared, pinned, dpkg, build info) say the runtime decides, kubelet's own setting is not
judged here: the runtime's is (NL101, NL106), and NL112 reports a kubelet setting that is
ignored.  When they are unknown, NL105 judges kubelet's setting and says what it assumed.

In a kubeadm config file (``kubeadm.k8s.io`` documents plus a KubeletConfiguration
document) a missing ``cgroupDriver`` is fine, since kubeadm 1.22+ fills in systemd;
``cgroupfs`` there, or ``cgroup-driver`` in ``nodeRegistration.kubeletExtraArgs``, is the
finding.  A drop-in file checked on its own is judged only on what it sets.

## Why it matters
kubelet and the container runtime must agree on the driver, and on a systemd host
that driver must be systemd: with cgroupfs, pod cgroups are created behind systemd's
back and limits can be lost (the incident behind nodelint).

## Example
Bad:
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
```
Good:
```yaml
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: systemd
```

## Fix
Safe.  Edits the place that wins: the flag's value, the drop-in's or config file's
``cgroupDriver``, or adds ``cgroupDriver: systemd`` to the config file (in key order
when the file's keys are sorted).  kubelet reads it at its next restart.

## References
- KubeletConfiguration defaults: https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/apis/config/v1beta1/defaults.go
- kubeadm cgroup driver: https://kubernetes.io/docs/tasks/administer-cluster/kubeadm/configure-cgroup-driver/
- kubelet config precedence and drop-ins: https://kubernetes.io/docs/tasks/administer-cluster/kubelet-config-file/
- ``cgroupDriver`` default ``cgroupfs``: https://github.com/kubernetes/kubelet/blob/v0.35.0/config/v1beta1/types.go
- KubeletCgroupDriverFromCRI (alpha 1.28, beta and on in 1.31): https://github.com/kubernetes/kubernetes/blob/b0b89d3bd251db932ed5a7bef66039fb88acab64/pkg/features/kube_features.go
- Runtimes that report their driver: https://github.com/containerd/containerd/blob/v2.0.0/internal/cri/server/runtime_config_linux.go, https://github.com/cri-o/cri-o/blob/v1.28.0/server/runtime_config.go
"""
from __future__ import annotations

from ..read.kinds import templated_value
from ..models.kubelet import Source, config_documents, kubelets
from ..values.findings import Fix
from ..values.edits import RenameKey, SetKey
from . import finding
from .nl108_cgroup_key_not_read import norm

CODE = "NL105"
NAME = "kubelet-cgroup-driver"
SEVERITY = "error"
FIXABLE = True
SUMMARY = "kubelet cgroupDriver is not systemd (or missing: the default is cgroupfs)"
KINDS = ("kubelet", "kubeadm", "kubelet-env", "systemd")
SCOPE = "node"

FIELD, FLAG = "cgroupDriver", "cgroup-driver"
CRI_NOTE = ("kubelet 1.31+ takes the driver from the runtime instead when it reports one "
            "(containerd >= 2.0, CRI-O >= 1.28)")


def _judge(source: Source, want: str, where: str, note: str = ""):
    if templated_value(source.value) or source.value == want:
        return
    if source.origin == "flag":
        what = f"--{FLAG}={source.value} in {source.key[0]}"
        beats = ": flags override the kubelet config file"
    elif source.origin == "kubeadm-flag":
        what = f"kubeletExtraArgs {FLAG}={source.value}"
        beats = ": kubeadm passes it as a flag, which overrides the KubeletConfiguration"
    else:
        what = f"{FIELD}: {source.value}"
        beats = " (drop-in, overrides the config file)" if source.origin == "drop-in" else ""
    fix = Fix((source.set_to(want),), f"set {FIELD} to {want}")
    yield finding(CODE, SEVERITY, source.doc, source.key, f"{where} uses the {source.value} cgroup driver "
                  f"({what}){beats}; use {want}{note}", fix, at_value=True)


def _kubeadm(doc, want: str, note: str):
    data = doc.data if isinstance(doc.data, list) else []
    sources: list[Source] = []
    kubelet_doc_key = None
    for i, d in enumerate(data):
        if not isinstance(d, dict):
            continue
        if d.get("kind") == "KubeletConfiguration":
            kubelet_doc_key = (i,)
            if FIELD in d:
                key = (i, FIELD)
                sources.append(Source("kubeadm-config", d[FIELD], doc, key))
        reg = d.get("nodeRegistration")
        extra = reg.get("kubeletExtraArgs") if isinstance(reg, dict) else None
        if isinstance(extra, dict) and FLAG in extra:  # kubeadm v1beta3: a map
            key = (i, "nodeRegistration", "kubeletExtraArgs", FLAG)
            sources.append(Source("kubeadm-flag", extra[FLAG], doc, key))
        elif isinstance(extra, list):  # v1beta4: a list of {name, value}
            for j, item in enumerate(extra):
                if isinstance(item, dict) and item.get("name") == FLAG:
                    key = (i, "nodeRegistration", "kubeletExtraArgs", j, "value")
                    sources.append(Source("kubeadm-flag", item.get("value"), doc, key))
    flags = [s for s in sources if s.origin == "kubeadm-flag"]
    configs = [s for s in sources if s.origin == "kubeadm-config"]
    for s in (flags or configs)[-1:]:
        yield from _judge(s, want, "kubelet (kubeadm config)", note)
    if not sources and want != "systemd":
        key = kubelet_doc_key or ()
        fix = None
        if kubelet_doc_key is not None:
            fix = Fix((SetKey(doc.path, kubelet_doc_key + (FIELD,), want),), f"set {FIELD}: {want}")
        yield finding(CODE, SEVERITY, doc, key, f"{FIELD} is not set: kubeadm 1.22+ fills in systemd, "
                      f"not {want}", fix)


def check(node, settings):
    from ..models.driver_source import driver_source

    want = settings.cgroup_driver
    kubeadm_source = driver_source(node, None) if node.of_kind("kubeadm") else None
    for doc in node.of_kind("kubeadm"):
        if doc.parsed is not None and kubeadm_source.decides != "runtime":
            yield from _kubeadm(doc, want, kubeadm_source.note)
    for kubelet in kubelets(node):
        source = driver_source(node, kubelet)
        if source.decides == "runtime":
            continue  # kubelet takes the runtime's driver (NL101/NL106 judge it; NL112 the setting ignored)
        winner = kubelet.winner(FIELD, FLAG)
        if winner is not None:
            yield from _judge(winner, want, "kubelet", source.note)
            continue
        config = kubelet.config
        if config is None or want != "systemd":
            continue
        objects = config_documents(config)
        if not objects:
            continue
        prefix, mapping = objects[0]
        misspelled = [k for k in mapping if isinstance(k, str) and norm(k) == "cgroupdriver"]
        if misspelled:  # the line the user meant; the same edit as NL108's
            edit = RenameKey(config.path, prefix + (misspelled[-1],), FIELD)
        else:
            edit = SetKey(config.path, prefix + (FIELD,), want)
        fix = Fix((edit,), f"add {FIELD}: {want}")
        kind_key = prefix + ("kind",)
        yield finding(CODE, SEVERITY, config, kind_key,
                      f"{FIELD} is not set, so kubelet uses its default, cgroupfs ({CRI_NOTE}); set {FIELD}: {want}",
                      fix)

"""NL305: kubelet is older than a release that fixed a known advisory (docs: version_rules.docs)."""
from __future__ import annotations

from .version_rules import FIXABLE, KINDS, SCOPE, SEVERITY, below_fixed, docs, summary

CODE = "NL305"
NAME = "kubelet-below-fixed-version"
COMPONENT = "kubelet"
SUMMARY = summary("kubelet")
__all__ = ["CODE", "NAME", "SEVERITY", "FIXABLE", "SUMMARY", "KINDS", "SCOPE", "check"]

__doc__ = docs(CODE, COMPONENT, "kubelet", pins="kubernetes_semver / kubernetes_version", program="kubelet", why="""
kubelet runs as root on every node: CVE-2021-25741 (subPath symlink exchange) and CVE-2024-10220
(gitRepo volume hooks) reach the host filesystem or run commands outside the container.  kubelet
before 1.31 also ignores the driver the runtime reports (KubeletCgroupDriverFromCRI), so its own
``cgroupDriver`` must match by hand (NL105, NL107).
""", example="""
$ nodelint packer/config/kubernetes.json
packer/config/kubernetes.json:16:25: NL305 error kubelet v1.30.2 (pin: kubernetes_semver) misses 2 fixes: CVE-2024-10220 (high, fixed in 1.30.3); ...
""", references=[
    "CVE-2021-25741: https://github.com/kubernetes/kubernetes/issues/104980",
    "CVE-2024-10220: https://github.com/kubernetes/kubernetes/issues/128885",
    "KubeletCgroupDriverFromCRI gate: https://github.com/kubernetes/kubernetes/blob/b0b89d3bd251db932ed5a7bef66039fb88acab64/pkg/features/kube_features.go",
    "kubelet side (falls back to ``cgroupDriver`` when the runtime returns Unimplemented): https://github.com/kubernetes/kubernetes/pull/118770",
])


def check(run, settings):
    yield from below_fixed(run, settings, COMPONENT, CODE)

"""NL305: kubelet is older than a release that fixed a known advisory.

## What it does
Finds the kubelet version a node or image gets, from every source nodelint knows, and
reports each source whose version is below the fixed version of a known advisory in
``rules/advisories.toml``, listing every advisory it misses and the release to move to.
Sources (each finding names its own, with file and line where there is one):
declared (``--runtime-version kubelet=...``, ``[tool.nodelint.versions] kubelet = "..."``),
pins in image-build repos (``kubernetes_semver / kubernetes_version``), and under ``--root`` Debian's dpkg status, the rpm
database and Go build info in the binary, read without running anything
(``--live`` also runs ``kubelet --version`` on a running node).

"Below the fixed version" means: on a release line that got a fix and older than that
line's fix, or on a line that never got one (older than the newest fixed line); a line
newer than every fixed line passes.  A distribution package version (Debian ``~ds1-1+deb12u3``,
RPM ``-3.el9``) is compared by its upstream part, and the finding says that the package may
carry backported fixes: check the distribution's security tracker before acting or waiving.
Severity is that of the worst advisory (critical/high: error, medium: warning, low: info).

## Why it matters
kubelet runs as root on every node: CVE-2021-25741 (subPath symlink exchange) and CVE-2024-10220
(gitRepo volume hooks) reach the host filesystem or run commands outside the container.  kubelet
before 1.31 also ignores the driver the runtime reports (KubeletCgroupDriverFromCRI), so its own
``cgroupDriver`` must match by hand (NL105, NL107).

## Example
```console
$ nodelint packer/config/kubernetes.json
packer/config/kubernetes.json:16:25: NL305 error kubelet v1.30.2 (pin: kubernetes_semver) misses 2 fixes: CVE-2024-10220 (high, fixed in 1.30.3); ...
```

## Fix
Unsafe, applied only with ``--fix --unsafe-fixes``: a pin in a Packer or Ansible variables file is
raised to the newest fixed release on its own line, keeping its quoting (and a leading ``v``).
Moving to another line, upgrading an installed package, or rebuilding an image is left to you.
Waive an advisory that does not apply, with a reason:
``[tool.nodelint.versions] waive = [{{id = "CVE-...", reason = "..."}}]``.

## References
- CVE-2021-25741: https://github.com/kubernetes/kubernetes/issues/104980
- CVE-2024-10220: https://github.com/kubernetes/kubernetes/issues/128885
- KubeletCgroupDriverFromCRI: ../shared/reference/kubelet.md section 5
"""
from __future__ import annotations

from ..models.versions import below_fixed

CODE = "NL305"
NAME = "kubelet-below-fixed-version"
SEVERITY = "error"
FIXABLE = "unsafe"  # raising a version pin changes what gets installed
SUMMARY = "kubelet version is below a release that fixed a known advisory"
KINDS = ("versions",)
SCOPE = "run"
COMPONENT = "kubelet"


def check(run, settings):
    yield from below_fixed(run, settings, COMPONENT, CODE)

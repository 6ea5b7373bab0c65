"""NL111: an edit of a generated containerd config changes nothing on some releases.

## What it does
Replays ``containerd config default`` (written to a file with ``>`` or ``tee``, in a script or
an Ansible ``shell``/``command`` task) and the edits made to it (``sed`` in the same pipe or
``sed -i`` on the file; Ansible ``lineinfile`` and ``replace`` tasks) on what each containerd
release really prints (``rules/containerd-defaults/``, generated from the real binaries), and
reports an edit whose expressions match nothing there, naming the releases.  The release the
node runs is used where it is known (``--runtime-version``, a version pin); otherwise every
release nodelint knows.  The config the script ends with is judged like any other (NL101).

## Why it matters
The common recipe ``containerd config default | sed 's/SystemdCgroup = false/SystemdCgroup = true/'``
does nothing on containerd 2.0.0-2.0.6 and 2.1.0-2.1.4, whose default config prints no
``SystemdCgroup`` line: the script succeeds, and runc stays on the cgroupfs driver while kubelet
uses systemd (containerd issue 12101).

## Example
```sh
containerd config default | sudo tee /etc/containerd/config.toml
sudo sed -i 's/SystemdCgroup = false/SystemdCgroup = true/' /etc/containerd/config.toml
```
```console
containerd.sh:2:1: NL111 error sed 's/SystemdCgroup = false/SystemdCgroup = true/' changes nothing in the config containerd 2.0.0-2.0.6, 2.1.0-2.1.4 print ...
```

## Fix
Not automatic: a script's intent is not guessed.  Write the setting whatever the default
prints, e.g. a config file of your own instead of the generated one, or an edit that adds the
line when it is missing; pin the containerd version the script is written for.

## References
- The default lost ``SystemdCgroup`` in commit 07c2ae12 (first tag v2.0.0-beta.0): https://github.com/containerd/containerd/commit/07c2ae12e1f48e5bd2d688c8691068d8347dcfd6
- Restored by PR #12244 (v2.2.0), #12253 (v2.1.5), #12254 (v2.0.7): https://github.com/containerd/containerd/pull/12244
- containerd issue 12101: https://github.com/containerd/containerd/issues/12101
- GNU sed's s command: https://www.gnu.org/software/sed/manual/sed.html#The-_0022s_0022-Command
- ansible-role-containerd issue 24 (a lineinfile after a version 2 table, on a version 3 default): https://github.com/geerlingguy/ansible-role-containerd/issues/24
"""
from __future__ import annotations

from ..models import containerd_load as L
from ..values.findings import Finding

CODE = "NL111"
NAME = "edit-changes-nothing"
SEVERITY = "error"
FIXABLE = False
SUMMARY = "An edit of a generated containerd config (sed, lineinfile, replace) changes nothing on some releases"
KINDS = ("containerd",)
SCOPE = "node"


def check(node, settings):
    for doc in node.of_kind("containerd"):
        missed = doc.extra.get("missed_edits")
        if not missed or L.version_for(doc, node) is False:
            continue
        from ..read.embedded.generated import ranges  # only configs a script generates: a plain check skips it

        releases = ranges(doc.extra["containerd_releases"])
        for line, source in missed:
            yield Finding(CODE, SEVERITY, doc.path, 1, 1,
                          f"{source} changes nothing in the config containerd {releases} print"
                          f" (line {line}): the setting it means to write is not there; write the setting whatever"
                          " the default prints (a config of your own, or a drop-in the config imports), or pin a"
                          " containerd release whose default has the line")

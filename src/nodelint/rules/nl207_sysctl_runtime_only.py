"""NL207: a script sets a kernel parameter for the running kernel only.

## What it does
Reports ``sysctl -w KEY=VALUE`` (and ``sysctl KEY=VALUE``) in shell scripts, Dockerfiles and
the command lists nodelint reads as scripts (cloud-init ``runcmd``, Cluster API
``preKubeadmCommands``), unless the script also writes that key to a sysctl file
(``/etc/sysctl.conf``, ``/etc/sysctl.d/*.conf``).

## Why it matters
``sysctl -w`` changes ``/proc/sys`` now; the value is gone at the next boot, and
``systemd-sysctl`` then applies whatever the files say.  In an image build it does not even
reach the node: the build container's kernel is not the node's.

## Example
```sh
sysctl -w fs.inotify.max_user_instances=8192
```
```console
setup.sh:1:1: NL207 info sysctl -w sets fs.inotify.max_user_instances for the running kernel only: ...
```

## Fix
Write the setting to a file in ``/etc/sysctl.d`` (and run ``sysctl --system`` if it must
apply now).  No automatic fix: a script's intent is not guessed.

## References
- sysctl(8), -w: https://man7.org/linux/man-pages/man8/sysctl.8.html
- sysctl.d(5): https://www.freedesktop.org/software/systemd/man/latest/sysctl.d.html
"""
from __future__ import annotations

import re

from ..values.findings import Finding

CODE = "NL207"
NAME = "sysctl-runtime-only"
SEVERITY = "info"
FIXABLE = False
SUMMARY = "A script sets a kernel parameter with sysctl -w only; it is lost at the next boot"
KINDS = ("shell",)
SCOPE = "document"

_SET = re.compile(r"""(?:^|[;&|(]|\bsudo)[ \t]*sysctl[ \t]+(?:-[a-vx-zA-Z]+[ \t]+)*(?:-w[ \t]+|--write[ \t]+)?['"]?"""
                  r"""([a-z][\w.-]*(?:[./][\w.-]+)+)[ \t]*=""", re.M)


def check(doc, settings):
    text = doc.text
    if "sysctl" not in text:
        return
    lines = doc.parsed.lines
    for m in _SET.finditer(text):
        key = m.group(1).replace("/", ".")
        if text.count(m.group(1)) + (text.count(key) if key != m.group(1) else 0) > 1:
            continue  # the key is written elsewhere in the script too (a heredoc, an echo line)
        pos = lines.position(m.start(1))
        yield Finding(CODE, SEVERITY, doc.path, pos.line, pos.column,
                      f"sysctl -w sets {key} for the running kernel only: it is lost at the next boot, and in an "
                      "image build it never reaches the node; write it to /etc/sysctl.d")

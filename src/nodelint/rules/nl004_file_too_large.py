"""NL004: a file is larger than nodelint reads (default 10 MiB).

## What it does
Skips, and reports, a configuration file bigger than ``max-file-size`` (configuration:
``max-file-size = "10MiB"``; bytes or ``KiB``/``MiB``/``GiB``).

## Why it matters
Node configuration files are kilobytes.  A file of megabytes is a mistake (a log or a binary
under a config name), or an attempt to make a linter that runs on every node use time and memory
it should not.

## Example
```console
$ nodelint etc/containerd/config.toml
etc/containerd/config.toml:1:1: NL004 warning not read: 52428800 bytes, over the 10485760-byte limit (max-file-size)
```

## Fix
Remove what does not belong in the file, or raise ``max-file-size``.  There is no automatic fix.

## References
- nodelint README, "Safety"
- read(2), which nodelint bounds by max-file-size: https://man7.org/linux/man-pages/man2/read.2.html
"""
CODE = "NL004"
NAME = "file-too-large"
SEVERITY = "warning"
FIXABLE = False
SUMMARY = "File larger than max-file-size, not read"
KINDS = ()
SCOPE = "engine"


def check(doc, settings):
    return iter(())

"""NL003: a path was not read: a link out of the root or tree, or not a regular file.

## What it does
Reports a configuration path that nodelint refuses to open:

- under ``--root``, a symbolic link whose ``..`` climbs above the root (absolute links are read
  relative to the root, as the node itself would see them once booted from it);
- while walking a repo tree, a link that leads outside the tree being checked;
- a FIFO, socket or device where a configuration file should be.

Nothing behind such a path is read or written.

## Why it matters
nodelint runs as root on image roots and live nodes.  Following a link out of an image root
would lint, and with ``--fix`` rewrite, the build machine's own files; opening a FIFO blocks
forever.

## Example
```console
$ nodelint --root /mnt/image
/mnt/image/etc/sysctl.d/99-k8s.conf:1:1: NL003 warning not read: /mnt/image/etc/sysctl.d/99-k8s.conf: a link leads outside /mnt/image
```

## Fix
Make the link relative to the image's own tree (or absolute, as the node sees it), or replace
the special file.  There is no automatic fix.

## References
- nodelint README, "Safety"
- path_resolution(7), how links are followed: https://man7.org/linux/man-pages/man7/path_resolution.7.html
- openat2(2) RESOLVE_BENEATH, the guarantee nodelint keeps by hand: https://man7.org/linux/man-pages/man2/openat2.2.html
"""
CODE = "NL003"
NAME = "path-not-read"
SEVERITY = "warning"
FIXABLE = False
SUMMARY = "Path not read: a link leading out of the root or tree, or not a regular file"
KINDS = ()
SCOPE = "engine"


def check(doc, settings):
    return iter(())

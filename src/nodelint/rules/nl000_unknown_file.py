"""NL000: a file named on the command line is not a node configuration nodelint knows.

## What it does
Reports a path you named explicitly (on the command line, or passed by pre-commit)
when nodelint cannot tell what kind of node configuration it is, from its path or
its content.  Files found while walking a directory are skipped silently instead.

## Why it matters
A file you asked about and that was not checked should not pass in silence: a typo
in a hook's ``files:`` pattern, or a config kept under an unusual name, would
otherwise look clean forever.

## Example
```console
$ nodelint notes.txt
notes.txt:1:1: NL000 info not a node configuration nodelint knows; skipped (use --kind to force one)
```

## Fix
Name the kind: ``nodelint --kind containerd my-config.toml``, or map a glob to a kind
in configuration: ``[tool.nodelint.kinds] "deploy/*.toml" = "containerd"``.
There is no automatic fix.

## References
- nodelint README, "Kinds and where they live"
- Where containerd reads its config (the kind of files nodelint knows by location): https://github.com/containerd/containerd/blob/v2.0.0/docs/man/containerd-config.toml.5.md
"""
CODE = "NL000"
NAME = "unknown-file"
SEVERITY = "info"
FIXABLE = False
SUMMARY = "File named on the command line is not a known node configuration"
KINDS = ()
SCOPE = "engine"


def check(doc, settings):
    return iter(())

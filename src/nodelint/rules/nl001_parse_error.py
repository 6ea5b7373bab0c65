"""NL001: the file cannot be parsed.

## What it does
Reports a file that is not valid in its format (TOML, JSON, YAML, environment file,
systemd unit, sysctl.d syntax) or not valid UTF-8, at the line and column the parser
stopped at.  No other rule runs on that file.

## Why it matters
Every runtime on a node refuses a config file it cannot parse: containerd, dockerd
and kubelet stop at start-up, and CRI-O fails with ``unable to decode configuration``.
Docker's daemon.json takes no comments and no trailing commas; TOML takes no
duplicate tables.  A syntax error in an image means a node that never joins.

## Example
```toml
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true,
```
```console
config.toml:2:23: NL001 error cannot parse TOML: Expected newline or end of document after a statement
```

## Fix
Correct the syntax by hand.  There is no automatic fix.

## References
- TOML 1.0: https://toml.io/en/v1.0.0
- Docker daemon.json loading (JSON decode; unknown keys and flag/file conflicts are fatal): https://github.com/moby/moby/blob/v28.0.0/daemon/config/config.go
"""
CODE = "NL001"
NAME = "parse-error"
SEVERITY = "error"
FIXABLE = False
SUMMARY = "File cannot be parsed"
KINDS = ()
SCOPE = "engine"


def check(doc, settings):
    return iter(())

"""NL005: a key appears twice in one JSON object or YAML mapping.

## What it does
Reports the second occurrence of a key in the same JSON object (Docker's ``daemon.json``, kubelet
JSON) or YAML mapping (kubelet and kubeadm configs).  Go's JSON decoder and Kubernetes' lenient
YAML decoding keep the last one; strict decoders reject the file.  (TOML forbids duplicates
outright: that is NL001.)

## Why it matters
People edit the first copy and wonder why nothing changes: the driver setting they fixed is the
one that is thrown away.

## Example
```json
{
  "exec-opts": ["native.cgroupdriver=systemd"],
  "exec-opts": ["native.cgroupdriver=cgroupfs"]
}
```

## Fix
Keep one occurrence.  There is no automatic fix: which one you meant is yours to say.

## References
- Docker daemon.json is decoded with Go encoding/json: https://github.com/moby/moby/blob/v28.0.0/daemon/config/config.go
- Go encoding/json keeps the last of duplicate keys: https://github.com/golang/go/issues/24415
- kubelet falls back to lenient decoding when strict decoding fails: https://github.com/kubernetes/kubernetes/blob/53f1b9d6f8de259644c05a25aa7ac8c6a67258e2/pkg/kubelet/kubeletconfig/util/codec/codec.go
"""
CODE = "NL005"
NAME = "duplicate-key"
SEVERITY = "warning"
FIXABLE = False
SUMMARY = "Duplicate key in a JSON object or YAML mapping (the last one wins)"
KINDS = ()
SCOPE = "engine"


def check(doc, settings):
    return iter(())

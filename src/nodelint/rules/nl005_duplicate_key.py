"""NL005: a key appears twice in one JSON object or YAML mapping.

## What it does
Reports the second occurrence of a key in the same JSON object (Docker's ``daemon.json``, kubelet
JSON) or YAML mapping (kubelet and kubeadm configs).  Go's JSON decoder and Kubernetes' lenient
YAML decoding keep the last one; strict decoders reject the file.  (TOML forbids duplicates
outright: that is NL001.)

A containerd config of version 1 (or without a version line) that configures one plugin under
its short ID and its full one (``[plugins.cri]`` and ``[plugins."io.containerd.grpc.v1.cri"]``)
is reported too: containerd 1.x reads only the short one, and 2.x renames short IDs while
ranging over a Go map, so which table it keeps changes from one start to the next (nodelint's
conformance tests saw ``containerd config dump`` of one such file disagree with itself in 3 of
16 runs).

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

```toml
[plugins.cri.containerd]
  default_runtime_name = "runc"
[plugins."io.containerd.grpc.v1.cri".containerd]
  default_runtime_name = "kata"
```

## Fix
Keep one occurrence.  There is no automatic fix: which one you meant is yours to say.

## References
- Docker daemon.json is decoded with Go encoding/json: https://github.com/moby/moby/blob/v28.0.0/daemon/config/config.go
- Go encoding/json keeps the last of duplicate keys: https://github.com/golang/go/issues/24415
- containerd 1.x reads a version 1 config's plugins by short ID: https://github.com/containerd/containerd/blob/v1.7.24/services/server/config/config.go
- containerd 2.x renames version 1 plugin IDs while ranging over the plugin map (v1Migrate): https://github.com/containerd/containerd/blob/v2.1.0/cmd/containerd/server/config/config.go
- kubelet falls back to lenient decoding when strict decoding fails: https://github.com/kubernetes/kubernetes/blob/53f1b9d6f8de259644c05a25aa7ac8c6a67258e2/pkg/kubelet/kubeletconfig/util/codec/codec.go
"""
CODE = "NL005"
NAME = "duplicate-key"
SEVERITY = "warning"
FIXABLE = False
SUMMARY = "Duplicate key in a JSON object or YAML mapping (the last one wins), or a containerd plugin configured under two IDs"
KINDS = ()
SCOPE = "engine"


def check(doc, settings):
    return iter(())

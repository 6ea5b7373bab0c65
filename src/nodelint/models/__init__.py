"""The node and the programs nodelint models: a node's documents and filesystem (node.py); how
containerd merges and reads its config per release line (containerd.py, containerd_load.py),
where the kubelet's settings come from (kubelet.py), how systemd-sysctl and procps order kernel
parameters (sysctl.py), which daemon.json dockerd refuses (docker.py), the runtime versions
known and where they are found (versions.py, version_sources.py, buildinfo.py)."""

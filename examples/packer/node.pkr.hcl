# Build a Kubernetes node image and let nodelint fix, then gate, its configuration.
#
#   python3 -m pip wheel --no-deps -w dist .            # from the nodelint repo: dist/nodelint-*.whl
#   packer build -var nodelint_wheel=dist/nodelint-0.1.0-py3-none-any.whl \
#                -var base_image=<your distribution's cloud image URL or file> examples/packer/node.pkr.hcl
#
# The provisioners install nodelint from the wheel, run `nodelint --fix --root /` (safe fixes only:
# containerd SystemdCgroup, kubelet cgroupDriver, sysctl drop-ins...), which fails the build only when
# nodelint itself fails (exit 2: findings left are exit 1, reported and gated next), then `nodelint --root /
# --fail-on error`, which exits 1 and fails the build when an error-level finding is left.  Packer runs
# inline commands with `sh -e`.  Swap the qemu source for your builder (amazon-ebs, azure-arm, ...); the
# build block stays the same.
variable "nodelint_wheel" {
  type    = string
  default = "dist/nodelint-0.1.0-py3-none-any.whl"
}

variable "base_image" {
  type    = string
  default = "file:///var/lib/images/debian-12-generic-amd64.qcow2"  # a local copy; set your own
}

source "qemu" "node" {
  iso_url          = var.base_image
  iso_checksum     = "none"
  disk_image       = true
  ssh_username     = "debian"
  ssh_password     = "debian"
  shutdown_command = "sudo shutdown -P now"
  headless         = true
}

build {
  sources = ["source.qemu.node"]

  provisioner "file" {
    source      = var.nodelint_wheel
    destination = "/tmp/"
  }
  provisioner "shell" {
    inline = [
      "sudo apt-get update && sudo apt-get install -y python3-venv",
      "sudo python3 -m venv /opt/nodelint && sudo /opt/nodelint/bin/pip install /tmp/$(basename ${var.nodelint_wheel})",
      "sudo /opt/nodelint/bin/nodelint --fix --root / || [ $? -eq 1 ]",
      "sudo /opt/nodelint/bin/nodelint --root / --fail-on error",
    ]
  }
}

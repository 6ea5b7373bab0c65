"""MIME multipart user data: each part is read as what it is, and the carriers among them
(``#cloud-config``, an EKS ``NodeConfig``, a shell script) are read in turn.

Part types as cloud-init takes them (https://github.com/canonical/cloud-init/blob/26.2/cloudinit/user_data.py,
doc/rtd/explanation/format/mime.rst): ``text/cloud-config``; ``text/x-shellscript``; and for
``text/plain``, ``text/x-not-multipart`` or ``text/x-shellscript`` the payload's first line
decides (``#cloud-config``, ``#!``).  ``application/node.eks.aws`` parts are nodeadm's
(https://github.com/awslabs/amazon-eks-ami/blob/v20260724/nodeadm/internal/configprovider/mime.go).
Base64 parts are read; quoted-printable and gzip parts are not.
"""
from __future__ import annotations

from . import Found
from .codecs import Base64, Slice


def find(outer) -> list[Found]:
    out = []
    for n, part in enumerate(outer.parsed.parts, start=1):
        codec = Slice(outer.text, part.body_start, part.body_end, part.line)
        encoding = part.transfer_encoding
        if encoding == "base64":
            codec = Base64(codec, gzipped=False)
            text = codec.decode()
        elif encoding in ("7bit", "8bit", "binary"):
            text = codec.decode()
        else:
            continue
        kind = _kind(part.content_type, text or "")
        if text is not None and kind is not None:
            out.append(Found(f"MIME part {n}", "", codec, text, kind=kind))
    return out


def _kind(content_type: str, text: str) -> str | None:
    first = text.lstrip().split("\n", 1)[0].strip().lower()
    if content_type == "application/node.eks.aws":
        return "nodeadm"
    if content_type == "text/cloud-config" or (content_type in ("text/plain", "text/x-not-multipart",
                                                                "text/x-shellscript") and first == "#cloud-config"):
        return "cloud-init"
    if content_type in ("text/x-shellscript", "text/plain", "text/x-not-multipart") and first.startswith("#!"):
        return "shell"
    return None

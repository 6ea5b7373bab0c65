"""Karpenter ``EC2NodeClass``: ``spec.userData``, read as the AMI family takes it.

The family comes from ``spec.amiFamily`` or an ``amiSelectorTerms[].alias`` (``al2023@latest``).
AL2023: MIME multipart, a NodeConfig, or a shell script (Karpenter's ``Nodeadm.parseUserData``);
Bottlerocket: TOML settings; AL2: a shell script or MIME.  Karpenter adds its own NodeConfig
last (cluster details, ``spec.kubelet`` settings): values the user data sets for kubelet may be
overridden there.  Source: https://github.com/aws/karpenter-provider-aws/blob/v1.14.1/website/content/en/docs/concepts/nodeclasses.md
and pkg/providers/amifamily/bootstrap/.
"""
from __future__ import annotations

from . import Found
from .yaml_values import string_value


def _family(spec: dict) -> str | None:
    family = spec.get("amiFamily")
    if isinstance(family, str):
        return family.lower()
    for term in spec.get("amiSelectorTerms") or []:
        if isinstance(term, dict) and isinstance(term.get("alias"), str):
            return term["alias"].split("@", 1)[0].lower()
    return None


def find(outer) -> list[Found]:
    out = []
    for d, data in enumerate(outer.data or []):
        if not isinstance(data, dict) or data.get("kind") != "EC2NodeClass":
            continue
        spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
        if not isinstance(spec.get("userData"), str):
            continue
        placed = string_value(outer, (d, "spec", "userData"))
        if placed is None:
            continue
        codec, text = placed
        kind = _kind(_family(spec), text)
        if kind is not None:
            name = (data.get("metadata") or {}).get("name") if isinstance(data.get("metadata"), dict) else None
            out.append(Found(f"EC2NodeClass {name or d}: spec.userData", "", codec, text, kind=kind, machine=str(d)))
    return out


def _kind(family: str | None, text: str) -> str | None:
    head = text.lstrip()
    if family == "bottlerocket":
        return "bottlerocket"
    if head.lower().startswith(("mime-version:", "content-type:")):
        return "mime"
    if family == "al2023" and ("NodeConfig" in text and "node.eks.aws/" in text):
        return "nodeadm"
    if head.startswith("#!") or family in ("al2", "al2023"):
        return "shell"
    return None

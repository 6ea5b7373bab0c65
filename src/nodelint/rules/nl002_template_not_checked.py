"""NL002: a templated file was recognised but not checked.

## What it does
Reports a file holding Jinja (``{{ }}``, ``{% %}``) or Go template syntax, or a file a
shell here-document writes with ``$VAR``/``${VAR}``/``$(...)`` expansions.  Placeholders are
unknown, not absent: each is masked with a filler of its own length (a line holding only a
control statement is blanked) and the file is checked around them; a value holding one is
left alone, and a finding that depends on one is not reported.  The info line says
"checked with its placeholders left alone".  Only a file that does not parse even masked is
"not checked".  A handler named ``runc`` whose ``runtime_type`` is a placeholder is judged as
the runc shim its name says (every runc shim value gives the same verdict), and the finding
says so.

## Why it matters
nodelint does not guess what a template renders to, but most of a template does not depend
on its placeholders: a valid kubeadm YAML with a ``.tpl`` suffix, a distribution's
``config.toml`` template whose runc handler has no ``SystemdCgroup``.  The info line tells
you the file was seen and how it was judged, instead of a parse error or silence.

## Example
```toml
## template: jinja
version = {% if containerd_version is version('2.0.0', '>=') %}3{% else %}2{% endif %}
```
```console
config.toml:1:1: NL002 info template: not checked (containerd config with template syntax; check the rendered file)
```

## Fix
Check the rendered file instead, e.g. run nodelint against the image root in the
Packer build (``nodelint --root /``), or on the output of ``ansible-playbook --check --diff``.
There is no automatic fix.

## References
- Jinja template syntax: https://jinja.palletsprojects.com/en/stable/templates/
- Go text/template: https://pkg.go.dev/text/template
"""
CODE = "NL002"
NAME = "template-not-checked"
SEVERITY = "info"
FIXABLE = False
SUMMARY = "Templated file recognised but not checked"
KINDS = ()
SCOPE = "engine"


def check(doc, settings):
    return iter(())

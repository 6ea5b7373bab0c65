"""NL002: a templated file was recognised but not checked.

## What it does
Reports a file holding Jinja (``{{ }}``, ``{% %}``) or Go template syntax that
cannot be parsed as its kind before rendering, for example an Ansible
``config.toml.j2`` or a ``config.template.toml`` rendered by a bootstrap tool.
A template that parses anyway (template syntax only inside string values) is
checked, and values that still hold template syntax are left alone.

## Why it matters
nodelint does not guess what a template renders to: a check on half of a template
would be wrong in both directions.  The info line tells you the file was seen and
why it was not judged, instead of a parse error or silence.

## Example
```toml
## template: jinja
version = {% if containerd_version is version('2.0.0', '>=') %}3{% else %}2{% endif %}
```
```console
config.toml:1:1: NL002 info template: not checked (containerd config with Jinja syntax)
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

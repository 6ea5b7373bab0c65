"""libyaml's composer (PyYAML's C extension) without the rest of PyYAML.

nodelint composes YAML with libyaml and resolves scalars itself (formats/yaml.py): of PyYAML
it needs ``yaml._yaml.CParser``, the node classes and the error classes.  ``import yaml``
brings much more: the pure-Python reader (which compiles a regular expression over all of
Unicode when imported), constructors (with datetime and base64), resolvers, emitters and
dumpers.

Speed trick, measured: ``import yaml`` would add about 20 ms of CPU to composing a document
this way (``python3 bench/tricks.py``, on the 2-core CI machine, 2026-11-30): a one-file kubelet
check takes 86 ms instead of 107 ms.

How: the ``yaml`` package is created without running its ``__init__``; the light modules the
extension reads when it is imported (error, tokens, events, nodes, scanner, parser, composer)
are imported for real, and the five heavy ones it only takes an exception class from (reader,
constructor, emitter, serializer, representer) are stood in for by classes of the same names
and bases.  The first time anyone asks the package for something it lacks (``yaml.safe_load``,
``from yaml import ...``), the stand-ins go, the real ``__init__`` runs, and the extension is
given the real exception classes: code that imports PyYAML after nodelint gets all of it.
Where ``yaml`` is imported already, it is used as it is.
"""
from __future__ import annotations

import sys

_LIGHT = ("error", "tokens", "events", "nodes", "scanner", "parser", "composer")
_STOOD_IN = {"reader": "ReaderError", "constructor": "ConstructorError", "emitter": "EmitterError",
             "serializer": "SerializerError", "representer": "RepresenterError"}
_FOUND: list = []  # [(CParser, yaml.nodes, YAMLError) or None], once looked up


def parser():
    """(CParser, the yaml.nodes module, YAMLError); None when PyYAML or its libyaml extension is missing."""
    if not _FOUND:
        try:
            _FOUND.append(_import())
        except ImportError:
            _FOUND.append(None)
    return _FOUND[0]


def _import():
    package = sys.modules.get("yaml")
    if package is None:
        package = _half_built()
    from yaml._yaml import CParser  # with a half-built package, its imports find the stand-ins

    import yaml.error
    import yaml.nodes

    return CParser, yaml.nodes, yaml.error.YAMLError


def _half_built():
    from importlib._bootstrap import module_from_spec  # importlib.util's, without importing importlib.util (3 ms)

    spec = None
    for finder in sys.meta_path:  # as the import system looks for a top-level package
        find = getattr(finder, "find_spec", None)
        spec = find("yaml", None) if find is not None else None
        if spec is not None:
            break
    if spec is None or spec.loader is None:
        raise ImportError("no PyYAML")
    package = module_from_spec(spec)
    sys.modules["yaml"] = package
    try:
        import yaml.composer as composer  # _LIGHT: these three and what they import
        import yaml.error as error
        import yaml.parser as parser

        if not (hasattr(composer, "ComposerError") and hasattr(parser, "ParserError")
                and all(f"yaml.{name}" in sys.modules for name in _LIGHT)):
            raise ImportError("a PyYAML this module does not know")
        for name, cls in _STOOD_IN.items():
            base = error.MarkedYAMLError if name == "constructor" else error.YAMLError
            stand_in = type(sys)(f"yaml.{name}")
            setattr(stand_in, cls, type(cls, (base,), {"__module__": f"yaml.{name}"}))
            setattr(package, name, stand_in)  # an attribute, not in sys.modules: a real import finds the module
        package.__getattr__ = lambda attr: _finish(package, spec, attr)
        import yaml._yaml as _yaml  # bound to the stand-ins' classes now; _finish rebinds them
        # (not `from yaml import _yaml`: its hasattr on the package would finish it first)

        if not hasattr(_yaml, "CParser"):
            raise ImportError("PyYAML's extension has no CParser")
    except BaseException:
        sys.modules.pop("yaml", None)
        raise
    return package


def _finish(package, spec, attr: str):
    """Run the package's own ``__init__`` (PEP 562: asked for what the half-built one lacks)."""
    if attr.startswith("__"):  # the import system's probes (__path__ is set; __wrapped__ and the like are not)
        raise AttributeError(attr)
    del package.__getattr__
    for name in _STOOD_IN:
        package.__dict__.pop(name, None)
    spec.loader.exec_module(package)
    extension = sys.modules.get("yaml._yaml")
    if extension is not None:
        for name, cls in _STOOD_IN.items():
            setattr(extension, cls, getattr(sys.modules[f"yaml.{name}"], cls))
    return getattr(package, attr)

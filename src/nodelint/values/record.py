"""Plain record classes: ``@record`` gives a class ``__init__``, ``__repr__`` and ``__eq__`` from its
annotations, like ``@dataclass`` but without its start-up cost.

nodelint runs on every commit, so start-up matters.  Speed trick, measured: importing
``dataclasses`` alone would add about 20 ms of CPU to a one-file check of about 71 ms (``python3
bench/tricks.py``, on the 2-core CI machine, 2026-11-30), before generating the methods of the twenty classes
a run touches.  A record's methods are shared, generic functions; nothing is compiled
at import time.

    @record
    class Target:
        path: str
        kind: str | None
        role: str = "main"
        tags: list = fresh(list)   # a fresh list for every instance (dataclasses' default_factory)

``@record(frozen=True)`` also makes instances hashable and refuses attribute assignment;
``@record(eq=False)`` keeps identity equality (for things like documents, which are one object).
A class instantiated often gets a compiled ``__init__`` after its first few instances.
"""
from __future__ import annotations

_MISSING = object()


class fresh:
    """A default made fresh for each instance: ``fresh(list)``, ``fresh(lambda: ["ALL"])``."""

    __slots__ = ("make",)

    def __init__(self, make):
        self.make = make


COMPILE_AFTER = 16  # instances made with the generic __init__ before a class gets its own


def _init(self, *args, **kwargs):
    cls = type(self)
    cls.__record_made__ += 1
    if cls.__record_made__ > COMPILE_AFTER and cls.__init__ is _init:
        cls.__init__ = _compiled_init(cls)  # a hot class (a parser's nodes): worth compiling
        return cls.__init__(self, *args, **kwargs)
    names = cls.__record_fields__
    if len(args) > len(names):
        raise TypeError(f"{cls.__name__}() takes {len(names)} arguments, {len(args)} given")
    put = object.__setattr__
    for name, value in zip(names, args):
        put(self, name, value)
    defaults = cls.__record_defaults__
    for name in names[len(args):]:
        value = kwargs.pop(name, _MISSING)
        if value is _MISSING:
            value = defaults.get(name, _MISSING)
            if value is _MISSING:
                raise TypeError(f"{cls.__name__}() missing argument {name!r}")
            if type(value) is fresh:
                value = value.make()
        put(self, name, value)
    if kwargs:
        raise TypeError(f"{cls.__name__}() got unexpected argument(s) {', '.join(map(repr, kwargs))}")
    post = getattr(self, "__post_init__", None)
    if post is not None:
        post()


def _compiled_init(cls):
    """An ``__init__`` written for ``cls``'s fields, as dataclasses writes one (it is ~4x faster)."""
    names, defaults = cls.__record_fields__, cls.__record_defaults__
    frozen = cls.__setattr__ is _frozen_setattr
    params, body, namespace = [], [], {"_MISSING": _MISSING, "_setattr": object.__setattr__}
    for name in names:
        default = defaults.get(name, _MISSING)
        if default is _MISSING:
            params.append(name)
            value = name
        elif type(default) is fresh:
            namespace[f"_make_{name}"] = default.make
            params.append(f"{name}=_MISSING")
            value = f"_make_{name}() if {name} is _MISSING else {name}"
        else:
            namespace[f"_default_{name}"] = default
            params.append(f"{name}=_default_{name}")
            value = name
        body.append(f"_setattr(self, {name!r}, {value})" if frozen else f"self.{name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    source = f"def __init__(self, {', '.join(params)}):\n    " + "\n    ".join(body or ["pass"])
    exec(source, namespace)  # noqa: S102 - generated from the class's own field names
    return namespace["__init__"]


def _values(self) -> tuple:
    return tuple(getattr(self, n) for n in type(self).__record_fields__)


def _repr(self) -> str:
    fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in type(self).__record_fields__)
    return f"{type(self).__name__}({fields})"


def _eq(self, other):
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _values(self) == _values(other)


def _hash(self):
    return hash(_values(self))


def _frozen_setattr(self, name, value):
    raise AttributeError(f"{type(self).__name__} is frozen: cannot set {name!r}")


def replace(obj, **changes):
    """A copy of ``obj`` with some fields changed (``dataclasses.replace``)."""
    values = {n: getattr(obj, n) for n in type(obj).__record_fields__}
    values.update(changes)
    return type(obj)(**values)


def record(cls=None, *, frozen: bool = False, eq: bool = True):
    def wrap(cls):
        names: list[str] = []
        defaults: dict = {}
        for base in reversed(cls.__mro__[1:]):
            if "__record_fields__" in base.__dict__:
                for n in base.__record_fields__:
                    if n not in names:
                        names.append(n)
                defaults.update(base.__record_defaults__)
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():
            if "ClassVar" in str(annotation):
                continue
            if name not in names:
                names.append(name)
            if name in cls.__dict__:
                defaults[name] = cls.__dict__[name]
            elif name in defaults:
                del defaults[name]
        cls.__record_fields__ = tuple(names)
        cls.__record_defaults__ = defaults
        cls.__record_made__ = 0
        cls.__init__ = _init
        if "__repr__" not in cls.__dict__:
            cls.__repr__ = _repr
        if frozen:
            cls.__setattr__ = _frozen_setattr
        if not eq:  # identity: two documents are the same document only if they are one object
            return cls
        if "__eq__" not in cls.__dict__:
            cls.__eq__ = _eq
        cls.__hash__ = _hash if frozen else None
        return cls

    return wrap if cls is None else wrap(cls)

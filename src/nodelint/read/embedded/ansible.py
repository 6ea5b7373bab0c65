"""Ansible tasks and playbooks: the node files tasks write.

- ``copy`` with ``content`` to a node path: the file, as written (``{{ }}`` makes it a template);
- ``sysctl`` (``ansible.posix.sysctl``): ``name``/``value`` assignments in ``sysctl_file``
  (default ``/etc/sysctl.conf``), in task order; ``state: absent`` tasks are left out;
- ``shell``/``command`` running ``containerd config default > PATH`` (and sed), followed by
  ``lineinfile``/``replace`` tasks on that path: replayed on every release's default
  (generated.py), as the modules edit (ansible_edits.py).
Tasks are found in a task list, a play's ``tasks``/``pre_tasks``/``post_tasks``/``handlers``,
and ``block``/``rescue``/``always``.  Sources: https://github.com/ansible-collections/ansible.posix/blob/2.2.0/plugins/modules/sysctl.py,
https://github.com/ansible/ansible/blob/c9ac477e53a99e95781f333eec3329a935c1bf95/lib/ansible/modules/copy.py
"""
from __future__ import annotations

from . import Found
from .codecs import KeyValueLines, Nowhere
from .yaml_values import string_value

SECTIONS = ("tasks", "pre_tasks", "post_tasks", "handlers")
BLOCKS = ("block", "rescue", "always")


def _module(task: dict, *names: str):
    for name in names:
        for prefix in ("", "ansible.builtin.", "ansible.posix.", "ansible.legacy."):
            if prefix + name in task:
                return prefix + name, task[prefix + name]
    return None, None


def tasks(outer):
    """(key path, task) of every task, in order."""
    def walk(items, key):
        for i, task in enumerate(items if isinstance(items, list) else []):
            if not isinstance(task, dict):
                continue
            nested = [b for b in BLOCKS if isinstance(task.get(b), list)]
            if nested:
                for b in nested:
                    yield from walk(task[b], key + (i, b))
                continue
            yield key + (i,), task

    for d, data in enumerate(outer.data or []):
        if not isinstance(data, list):
            continue
        plays = [isinstance(item, dict) and any(isinstance(item.get(s), list) for s in SECTIONS) for item in data]
        if any(plays):
            for i, item in enumerate(data):
                if plays[i]:
                    for s in SECTIONS:
                        yield from walk(item.get(s), (d, i, s))
        else:
            yield from walk(data, (d,))


def find(outer) -> list[Found]:
    out: list[Found] = []
    sysctl: dict[str, list] = {}
    generated = []  # (task key, generated config) in task order, with the edits after it
    for key, task in tasks(outer):
        name, args = _module(task, "copy")
        if name and isinstance(args, dict) and isinstance(args.get("content"), str) and isinstance(args.get("dest"), str):
            placed = string_value(outer, key + (name, "content"))
            if placed is not None:
                out.append(Found(_label(task, key), args["dest"], *placed))
            continue
        name, args = _module(task, "sysctl")
        if name and isinstance(args, dict) and isinstance(args.get("name", args.get("key")), str):
            if str(args.get("state", "present")) == "absent" or "value" not in args and "val" not in args:
                continue
            field = "value" if "value" in args else "val"
            placed = string_value(outer, key + (name, field))
            if placed is not None:
                path = args.get("sysctl_file", "/etc/sysctl.conf")
                sysctl.setdefault(path if isinstance(path, str) else "/etc/sysctl.conf", []).append(
                    (args.get("name", args.get("key")), placed[0]))
            continue
        name, args = _module(task, "shell", "command")
        command = args if isinstance(args, str) else (args or {}).get("cmd") if isinstance(args, dict) else None
        if name and isinstance(command, str) and "config default" in command:
            from . import generated as G

            for gen in G.scan(command + "\n"):
                gen.line = outer.parsed.position(key + (name,)).line
                generated.append(gen)
            continue
        name, args = _module(task, "lineinfile", "replace")
        if name and isinstance(args, dict):
            path = args.get("path", args.get("dest"))
            line = outer.parsed.position(key).line
            for gen in generated:
                if gen.path == path:
                    gen.edits.append(("ansible", name.rsplit(".", 1)[-1], dict(args), line))
    for path, values in sysctl.items():
        if all(hasattr(v, "value") for _, v in values):
            out.append(Found("sysctl tasks", path, KeyValueLines(outer.text, values), None,
                             extra={"fixed_keys": True}))
    return out + _generated(generated)


def _label(task: dict, key: tuple) -> str:
    name = task.get("name")
    return f"task {name!r}" if isinstance(name, str) else "task " + ".".join(str(k) for k in key[1:])


def _generated(generated) -> list[Found]:
    from . import ansible_edits, generated as G

    out = []
    for gen in generated:
        results: dict[tuple, tuple[list[str], str, list]] = {}
        for file, releases in G.groups():
            text, missed = G.text_of(file), []
            for edit in gen.edits:
                if isinstance(edit, tuple):  # an Ansible task
                    _, module, args, line = edit
                    done = getattr(ansible_edits, module)(text, args)
                    if done is None:
                        return out  # not replayable: nothing is judged
                    text, changed = done
                    if not changed:
                        what = args.get("regexp") or args.get("search_string") or args.get("line")
                        missed.append((line, f"{module} {what!r}"))
                else:
                    if edit.substitutions is None:
                        return out
                    hit = False
                    for sub in edit.substitutions:
                        text, matched = sub.apply(text)
                        hit = hit or matched
                    if not hit:
                        missed.append((edit.line, f"sed '{edit.source}'"))
            key = (releases[0].split(".")[0], tuple(m[0] for m in missed), text.count("SystemdCgroup = true"))
            known = results.get(key)
            results[key] = (known[0] + releases if known else list(releases), text, missed)
        for releases, text, missed in results.values():
            lines = [e[3] if isinstance(e, tuple) else e.line for e in gen.edits]
            label = f"containerd config default of {G.ranges(releases)} at line {gen.line}"
            if lines:
                label += " and the edits at line" + ("s " if len(lines) > 1 else " ") + ", ".join(map(str, lines))
            out.append(Found(label, gen.path, Nowhere(lines[-1] if lines else gen.line, 1), text, extra={
                "containerd_releases": releases, "generated": True, "missed_edits": missed}))
    return out

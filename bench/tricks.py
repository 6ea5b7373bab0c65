"""What each of nodelint's start-up speed tricks saves, measured now.  Prints figures; asserts
nothing.  A trick whose saving no longer shows here should go (use the standard library).

    python3 bench/tricks.py [--repeats N]

For each trick, the one-file check's own imports are timed alone and with the module the trick
avoids importing (medians of fresh processes, run in turn):
- values/record.py (@record instead of @dataclass): ``dataclasses``;
- cli/options.py (the argv fast path): ``typer`` (with click);
- rules/entry_points.py (entry points read from dist-info files): ``importlib.metadata``;
- write/workers.py (a fork pool): ``multiprocessing`` and ``concurrent.futures``;
- read/formats/libyaml.py (libyaml's composer alone): the rest of PyYAML (``import yaml``), next
  to a YAML document composed;
and a whole one-file check is timed next to them, for scale.  CPU time of each process (medians
of shuffled rounds: bench/run.py).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import rounds, spread  # noqa: E402

BASE = "import nodelint.cli, nodelint.engine.batches, nodelint.read.formats.toml"
YAML_BASE = BASE + "; from nodelint.read.formats import yaml as Y; Y.load('a: 1')"
AVOIDED = {
    "values/record.py (@record)": "dataclasses",
    "cli/options.py (argv fast path)": "typer",
    "rules/entry_points.py (hand-read entry points)": "importlib.metadata",
    "write/workers.py (fork pool)": "multiprocessing, concurrent.futures",
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=25)
    args = ap.parse_args()
    py = sys.executable
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # measure imports as an installed package runs them: from .pyc
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "etc/containerd/config.toml"
        config.parent.mkdir(parents=True)
        config.write_text('version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n'
                          "  SystemdCgroup = true\n")
        commands = {"python -c pass": [py, "-c", "pass"], "check imports": [py, "-c", BASE],
                    "one-file check": [py, "-m", "nodelint", str(config)], "yaml composed": [py, "-c", YAML_BASE],
                    "read/formats/libyaml.py (PyYAML's composer alone)": [py, "-c", f"import yaml; {YAML_BASE}"]}
        commands.update({trick: [py, "-c", f"{BASE}; import {module}"] for trick, module in AVOIDED.items()})
        runs = rounds({name: (argv, None) for name, argv in commands.items()}, args.repeats)
    ms = {name: spread([r["cpu"] for r in values])[0] * 1000 for name, values in runs.items()}
    print(f"python -c pass            {ms['python -c pass']:6.1f} ms")
    print(f"one-file check            {ms['one-file check']:6.1f} ms")
    print(f"its imports alone         {ms['check imports']:6.1f} ms")
    for trick, module in AVOIDED.items():
        print(f"{trick}: importing {module} would add {ms[trick] - ms['check imports']:5.1f} ms")
    trick = "read/formats/libyaml.py (PyYAML's composer alone)"
    print(f"{trick}: import yaml would add {ms[trick] - ms['yaml composed']:5.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Shared by the reference scripts: a fixed hash seed, the library versions and the golden file.

- `pin_hash_seed()` re-executes the script under PYTHONHASHSEED=0 (pyfixest 0.60.0's clustered K
  is reported to depend on the hash seed), before the heavy imports.
- `versions(*packages)` is the "versions" record: Python's, then each package's, in that order.
- `write_reference(path, ref)` writes the golden JSON as every script does (indent 1, newline).
"""
from __future__ import annotations

import json
import os
import platform
import sys
from importlib.metadata import version


def pin_hash_seed() -> None:
    if os.environ.get("PYTHONHASHSEED") != "0":
        env = dict(os.environ, PYTHONHASHSEED="0")
        os.execve(sys.executable, [sys.executable, *sys.argv], env)


def versions(*packages: str) -> dict:
    return {"python": platform.python_version(), **{name: version(name) for name in packages}}


def write_reference(path, ref) -> None:
    with open(path, "w") as fh:
        json.dump(ref, fh, indent=1)
        fh.write("\n")
    print("wrote", path)

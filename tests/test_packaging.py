"""What a `pip install .` carries: every data file beside the code is declared as package data, so the app
installed on a fresh machine reads the same files the tests read in the checkout."""
from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ("*.yaml", "*.md", "*.npz", "*.tcss")


def test_every_data_file_of_a_package_is_declared_as_its_package_data():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]
    missing = []
    for package, patterns in declared.items():
        base = ROOT / package
        carried = {path for pattern in patterns for path in base.glob(pattern)}  # as setuptools globs them
        for path in base.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and any(fnmatch.fnmatch(path.name, d) for d in DATA):
                if path not in carried:
                    missing.append(path.relative_to(ROOT).as_posix())
    assert missing == []

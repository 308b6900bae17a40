"""The README's layout table and ARCHITECTURE.md stay true to the source tree."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PACKAGES = ("src/histfmt", "src/histfmt_viewer")
ALWAYS_THERE = {"__init__.py", "__main__.py", "py.typed"}


def _layout_rows() -> dict[str, str]:
    """The README's layout table: first cell (a path) -> the rest of the row."""
    text = README.read_text(encoding="utf-8")
    table = text.split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in table.splitlines():
        match = re.match(r"^\| `([^`]+)` \| (.*) \|$", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def _names(text: str) -> set[str]:
    return set(re.findall(r"`([^`\s]+)`", text))


def test_every_path_in_the_layout_table_exists() -> None:
    for path in _layout_rows():
        assert (ROOT / path).exists(), f"README layout names {path}, which does not exist"


def test_every_module_named_in_the_layout_table_exists() -> None:
    for path, row in _layout_rows().items():
        for name in _names(row):
            if name.endswith(".py"):
                found = list((ROOT / path).rglob(name))
                assert found, f"README layout row {path} names {name}, not found under it"


def test_every_module_is_in_the_layout_table() -> None:
    """Each module of a package or of its first-level folders (``render/``, ``cli/``) is
    named in the package's row; deeper ones (``convert/uhepp/``) through their folder."""
    rows = _layout_rows()
    missing = []
    for package in PACKAGES:
        named = _names(rows[f"{package}/"])
        for module in sorted((ROOT / package).rglob("*.py")):
            relative = module.relative_to(ROOT / package)
            if module.name in ALWAYS_THERE and len(relative.parts) <= 2:
                continue
            folder = f"{relative.parts[-2]}/" if len(relative.parts) >= 3 else None
            if module.name not in named and folder not in named:
                missing.append(f"{package}/{relative.as_posix()}")
    assert missing == [], "missing from the README layout table"

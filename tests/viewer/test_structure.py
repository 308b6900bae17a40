"""How the viewer is put together: the storage of an app, the refusal error, and
blueprints that share helpers through ``web.py`` only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Flask

from histfmt.errors import HistfmtError, ValidationError
from histfmt_viewer import STORAGE_EXTENSION, storage_of
from histfmt_viewer.documents import Refused, parse_upload
from histfmt_viewer.storage import Storage

VIEWER = Path(__file__).resolve().parents[2] / "src" / "histfmt_viewer"
BLUEPRINTS = ("api", "auth", "collection_pages", "pages", "uhepp_api")


def test_storage_of_an_app(app: Flask) -> None:
    storage = storage_of(app)
    assert isinstance(storage, Storage)
    assert app.extensions[STORAGE_EXTENSION] is storage  # the key code elsewhere still reads


def test_refused_is_a_validation_error_with_paths() -> None:
    with pytest.raises(Refused) as caught:
        parse_upload(b'{"histfmt": "1.0", "x": {"edges": [0, 1]}, "yields": {"a": 3}}')
    error = caught.value
    assert isinstance(error, ValidationError)
    assert isinstance(error, HistfmtError)
    assert [issue.path for issue in error.issues] == ["yields.a"]  # a real JSON path
    assert error.as_dicts() == [issue.as_dict() for issue in error.issues]
    assert Refused.of(error) is error
    plain = Refused.of(HistfmtError("not a plot"))
    assert plain.as_dicts() == [{"path": "$", "message": "not a plot"}]


def _imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("blueprint", BLUEPRINTS)
def test_no_blueprint_imports_another(blueprint: str) -> None:
    imported = _imported_modules(VIEWER / f"{blueprint}.py")
    others = {f"histfmt_viewer.{name}" for name in BLUEPRINTS if name != blueprint}
    assert not imported & others, f"{blueprint}.py imports {sorted(imported & others)}"

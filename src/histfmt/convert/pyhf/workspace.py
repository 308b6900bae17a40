"""Reading a pyhf JSON workspace: recognising it, validating it with pyhf's own schema,
and building its model and observed data.

pyhf is imported inside the functions (the ``fit`` extra); its refusals become
:class:`~histfmt.HistfmtError` naming the file and the JSON path inside it.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Any

from histfmt.convert.interface import Source, source_bytes
from histfmt.errors import HistfmtError, ValidationError

__all__ = ["Workspace", "load_workspace", "require_pyhf", "sniff"]

_KEY = re.compile(rb'"(channels|observations|measurements|modifiers|version)"\s*:')


def sniff(head: bytes, name: str) -> bool:
    """A JSON object with the keys of a pyhf workspace: ``channels`` and, in the first
    64 KiB, ``observations``, ``measurements`` or a sample's ``modifiers``."""
    if head.lstrip()[:1] != b"{":
        return False
    keys = {match[1] for match in _KEY.finditer(head)}
    return b"channels" in keys and bool(keys & {b"observations", b"measurements", b"modifiers"})


def require_pyhf() -> Any:
    """The pyhf module, or an error naming the extra to install."""
    try:
        import pyhf
    except ImportError:
        raise HistfmtError(
            "reading pyhf workspaces needs pyhf: pip install 'histfmt[fit]'"
        ) from None
    return pyhf


@dataclass(frozen=True)
class Workspace:
    """A validated workspace: its JSON, its model and the observed data (with auxdata)."""

    spec: dict[str, Any]
    model: Any
    data: list[float]
    measurement: str
    filename: str

    def samples_in(self, channel: str) -> list[str]:
        """The samples of ``channel``, in the workspace's order."""
        for entry in self.spec["channels"]:
            if entry["name"] == channel:
                return [sample["name"] for sample in entry["samples"]]
        raise HistfmtError(f"no channel {channel!r}", filename=self.filename)


def load_workspace(
    source: Source, /, *, name: str | None = None, measurement: str | None = None
) -> Workspace:
    """Parse and validate a workspace (bytes or a path) and build its model.

    ``measurement`` picks one of the workspace's measurements (default: the first).
    """
    import json

    raw, filename = source_bytes(source, name)
    try:
        spec = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise HistfmtError(f"not valid JSON: {error}", filename=filename) from None
    if not isinstance(spec, dict):
        raise ValidationError.at([], "a pyhf workspace is a JSON object", filename=filename)
    pyhf = require_pyhf()
    try:
        with warnings.catch_warnings():  # pyhf 0.7 validates through jsonschema.RefResolver
            warnings.filterwarnings("ignore", "jsonschema.RefResolver", DeprecationWarning)
            workspace = pyhf.Workspace(spec)
    except pyhf.exceptions.InvalidSpecification as error:
        parts = list(error.parent.absolute_path)
        message = str(error.parent.message)
        message = message if len(message) <= 200 else message[:197] + "..."
        raise ValidationError.at(
            parts, f"not a valid pyhf workspace: {message}", filename=filename
        ) from None
    except Exception as error:
        raise _refusal(error, filename, "not a valid pyhf workspace") from None
    try:
        chosen = measurement or workspace.measurement_names[0]
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "jsonschema.RefResolver", DeprecationWarning)
            model = workspace.model(measurement_name=chosen, validate=False)  # it was
        data = [float(value) for value in workspace.data(model)]
    except Exception as error:
        raise _refusal(error, filename, "cannot build the pyhf model") from None
    return Workspace(spec, model, data, str(chosen), filename)


def _refusal(error: Exception, filename: str, what: str) -> HistfmtError:
    """A pyhf (or malformed-input) failure as a HistfmtError; anything else is a bug."""
    module = type(error).__module__
    if module.startswith("pyhf") or isinstance(
        error, (KeyError, ValueError, TypeError, IndexError)
    ):
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
        return HistfmtError(f"{what}: {text}", filename=filename)
    raise error

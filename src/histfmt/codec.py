"""The model's JSON encoding: arrays written by orjson (NaN as ``null``). No validation, no I/O.

:mod:`histfmt.model` compares documents through :func:`canonical_bytes`, and
:mod:`histfmt.io` writes them with :func:`encode`; both sit on this module, so
equality does not depend on the reader and writer.
"""

from __future__ import annotations

from typing import Any

import msgspec
import numpy as np
import orjson

__all__ = ["canonical_bytes", "encode", "skeleton"]


def _encode_hook(obj: Any) -> Any:
    """numpy arrays are written by orjson (fast; NaN becomes null), scalars as Python numbers."""
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fiu" and obj.ndim in (1, 2):  # 2-D: rows of x bins
            array = np.ascontiguousarray(obj, dtype=np.float64 if obj.dtype.kind == "f" else None)
            return msgspec.Raw(orjson.dumps(array, option=orjson.OPT_SERIALIZE_NUMPY))
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"cannot write {type(obj).__name__}")


def _skeleton_hook(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return []
    return _encode_hook(obj)


_ENCODER = msgspec.json.Encoder(enc_hook=_encode_hook)
_CANONICAL = msgspec.json.Encoder(enc_hook=_encode_hook, order="sorted")
_SKELETON = msgspec.json.Encoder(enc_hook=_skeleton_hook)


def encode(obj: msgspec.Struct, /) -> bytes:
    """Compact JSON of a document (or any model struct), keys in field order."""
    return _ENCODER.encode(obj)


def canonical_bytes(obj: msgspec.Struct, /) -> bytes:
    """JSON with sorted keys: equal documents give equal bytes."""
    return _CANONICAL.encode(obj)


def skeleton(obj: msgspec.Struct, /) -> bytes:
    """JSON with every array empty: the types, enums and keys, in microseconds, not a copy.

    Raises ``TypeError`` for a value JSON cannot hold.
    """
    return _SKELETON.encode(obj)

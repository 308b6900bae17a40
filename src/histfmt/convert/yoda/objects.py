"""The objects of a YODA file as plain typed values: axes, binned objects, scatters.

Every binned object keeps its bins in YODA 2 order and *including* the flow bins:
a continuous axis with ``n`` bins (``n + 1`` edges) has ``n + 2`` bins, underflow first
and overflow last; a discrete axis with ``n`` values has ``n + 1`` bins, the "other"
bin first.  A 2-D array has shape ``(x bins, y bins)`` and is indexed ``[ix, iy]``
(YODA numbers bins with x running fastest).  Equality compares every number, NaN equal
to NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import ClassVar, Literal, TypeAlias

import numpy as np
from numpy.typing import NDArray

from histfmt.errors import HistfmtError

__all__ = [
    "Axis",
    "ContinuousAxis",
    "Counter",
    "DiscreteAxis",
    "Estimate",
    "Histo1D",
    "Histo2D",
    "Profile1D",
    "Scatter",
    "YodaError",
    "YodaObject",
]

Floats: TypeAlias = NDArray[np.float64]


class YodaError(HistfmtError):
    """A refusal inside a YODA file: ``object_path`` names the object, ``line`` the line."""

    def __init__(
        self,
        message: str,
        *,
        object_path: str | None = None,
        line: int | None = None,
        filename: str | None = None,
    ) -> None:
        self.object_path = object_path
        self.line = line
        self.detail = message
        where = f"line {line}: " if line is not None else ""
        text = f"{object_path}: {where}{message}" if object_path else f"{where}{message}"
        super().__init__(text, filename=filename)

    def as_dicts(self) -> list[dict[str, str]]:
        where = f"line {self.line}: " if self.line is not None else ""
        return [{"path": self.object_path or "$", "message": where + self.detail}]


def _floats(values: object) -> Floats:
    array = np.array(values, dtype=np.float64)
    array.flags.writeable = False
    return array


def _same(left: object, right: object) -> bool:
    if isinstance(left, np.ndarray) or isinstance(right, np.ndarray):
        a, b = np.asarray(left), np.asarray(right)
        return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
    if isinstance(left, float) and isinstance(right, float):
        return left == right or (math.isnan(left) and math.isnan(right))
    return left == right


class _Equal:
    """Field-by-field equality with arrays compared by value (NaN equal to NaN)."""

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(
            _same(getattr(self, item.name), getattr(other, item.name))
            for item in fields(self)  # type: ignore[arg-type]
        )

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, eq=False)
class ContinuousAxis(_Equal):
    """A real-valued axis: increasing ``edges``; ``len(edges) + 1`` bins with the flow bins."""

    edges: Floats

    def __post_init__(self) -> None:
        object.__setattr__(self, "edges", _floats(self.edges))
        if self.edges.ndim != 1 or self.edges.size < 2:
            raise HistfmtError("an axis needs at least two edges")
        if not np.all(np.isfinite(self.edges)) or np.any(np.diff(self.edges) <= 0):
            raise HistfmtError("axis edges must be finite and increasing")

    @property
    def size(self) -> int:
        """Number of bins including underflow and overflow."""
        return int(self.edges.size + 1)

    @property
    def kind(self) -> Literal["d"]:
        """YODA's axis type letter."""
        return "d"


@dataclass(frozen=True, eq=False)
class DiscreteAxis(_Equal):
    """An axis of distinct integer or string values; ``len(values) + 1`` bins (other first)."""

    values: tuple[int, ...] | tuple[str, ...]

    def __post_init__(self) -> None:
        values = tuple(self.values)
        if not values:
            raise HistfmtError("a discrete axis needs at least one value")
        kinds = {type(value) for value in values}
        if kinds not in ({int}, {str}):
            raise HistfmtError("a discrete axis holds only integers or only strings")
        if len(set(values)) != len(values):
            raise HistfmtError("a discrete axis has repeated values")
        object.__setattr__(self, "values", values)

    @property
    def size(self) -> int:
        """Number of bins including the "other" bin."""
        return len(self.values) + 1

    @property
    def kind(self) -> Literal["i", "s"]:
        """YODA's axis type letter: ``i`` for integers, ``s`` for strings."""
        return "i" if isinstance(self.values[0], int) else "s"


Axis: TypeAlias = ContinuousAxis | DiscreteAxis


def _type_name(family: str, axes: tuple[Axis, ...]) -> str:
    if all(axis.kind == "d" for axis in axes):
        return f"{family}{len(axes)}D"
    return f"Binned{family}<{','.join(axis.kind for axis in axes)}>"


def _check_arrays(obj: object, names: tuple[str, ...], shape: tuple[int, ...]) -> None:
    for name in names:
        array = _floats(getattr(obj, name))
        if array.shape != shape:
            raise HistfmtError(f"{name}: expected shape {shape}, got {array.shape}")
        object.__setattr__(obj, name, array)


def _check_1d(obj: Histo1D | Profile1D) -> None:
    _check_arrays(obj, obj.COLUMNS, (obj.axis.size,))
    if obj.total is not None:
        _check_arrays(obj, ("total",), (len(obj.COLUMNS),))
    gaps = tuple(sorted({int(index) for index in obj.gaps}))
    if any(not 0 < index < obj.axis.size - 1 for index in gaps):
        raise HistfmtError(f"gaps must be indices of inner bins (1 to {obj.axis.size - 2})")
    if any(getattr(obj, name)[index] != 0 for name in obj.COLUMNS for index in gaps):
        raise HistfmtError("a gap bin must be empty")
    object.__setattr__(obj, "gaps", gaps)


@dataclass(frozen=True, eq=False)
class Counter(_Equal):
    """A weighted count: ``sumw``, ``sumw2`` and the number of entries."""

    path: str
    sumw: float
    sumw2: float
    numentries: float
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def type(self) -> str:
        """YODA's type name."""
        return "Counter"


_DBN1 = ("sumw", "sumw2", "sumwx", "sumwx2", "numentries")
_DBN2 = ("sumw", "sumw2", "sumwx", "sumwx2", "sumwy", "sumwy2", "sumwxy", "numentries")


@dataclass(frozen=True, eq=False)
class Histo1D(_Equal):
    """A 1-D histogram: per-bin sums of weights and moments, flow bins included.

    ``total`` is YODA 1's ``Total`` row (``sumw, sumw2, sumwx, sumwx2, numentries``), or
    ``None`` (YODA 2 writes none).  ``gaps`` lists the bins that stand for a gap between
    YODA 1 bins (empty; YODA 1 output leaves them out, YODA 2 output writes them as bins).
    """

    path: str
    axis: Axis
    sumw: Floats
    sumw2: Floats
    sumwx: Floats
    sumwx2: Floats
    numentries: Floats
    annotations: dict[str, str] = field(default_factory=dict)
    total: Floats | None = None
    gaps: tuple[int, ...] = ()

    COLUMNS: ClassVar[tuple[str, ...]] = _DBN1

    def __post_init__(self) -> None:
        _check_1d(self)

    @property
    def axes(self) -> tuple[Axis, ...]:
        """The axes, x first."""
        return (self.axis,)

    @property
    def type(self) -> str:
        """YODA's type name: ``Histo1D``, or ``BinnedHisto<s>`` on a discrete axis."""
        return _type_name("Histo", self.axes)


@dataclass(frozen=True, eq=False)
class Profile1D(_Equal):
    """A 1-D profile: the histogram sums plus ``sumwy``, ``sumwy2`` and ``sumwxy`` (YODA 1
    keeps no ``sumwxy``: zero); ``total`` as for :class:`Histo1D`, in :attr:`COLUMNS` order."""

    path: str
    axis: Axis
    sumw: Floats
    sumw2: Floats
    sumwx: Floats
    sumwx2: Floats
    sumwy: Floats
    sumwy2: Floats
    sumwxy: Floats
    numentries: Floats
    annotations: dict[str, str] = field(default_factory=dict)
    total: Floats | None = None
    gaps: tuple[int, ...] = ()

    COLUMNS: ClassVar[tuple[str, ...]] = _DBN2

    def __post_init__(self) -> None:
        _check_1d(self)

    @property
    def axes(self) -> tuple[Axis, ...]:
        """The axes, x first."""
        return (self.axis,)

    @property
    def type(self) -> str:
        """YODA's type name: ``Profile1D``, or ``BinnedProfile<s>`` on a discrete axis."""
        return _type_name("Profile", self.axes)


@dataclass(frozen=True, eq=False)
class Histo2D(_Equal):
    """A 2-D histogram; arrays have shape ``(x bins, y bins)`` with the flow bins."""

    path: str
    xaxis: Axis
    yaxis: Axis
    sumw: Floats
    sumw2: Floats
    sumwx: Floats
    sumwx2: Floats
    sumwy: Floats
    sumwy2: Floats
    sumwxy: Floats
    numentries: Floats
    annotations: dict[str, str] = field(default_factory=dict)
    total: Floats | None = None

    COLUMNS: ClassVar[tuple[str, ...]] = _DBN2

    def __post_init__(self) -> None:
        _check_arrays(self, self.COLUMNS, (self.xaxis.size, self.yaxis.size))
        if self.total is not None:
            _check_arrays(self, ("total",), (len(self.COLUMNS),))

    @property
    def axes(self) -> tuple[Axis, ...]:
        """The axes, x first."""
        return (self.xaxis, self.yaxis)

    @property
    def type(self) -> str:
        """YODA's type name: ``Histo2D`` or ``BinnedHisto<...>``."""
        return _type_name("Histo", self.axes)


@dataclass(frozen=True, eq=False)
class Scatter(_Equal):
    """Points with asymmetric errors: ``values``, ``err_minus``, ``err_plus`` of shape
    ``(points, dimension)``; column 0 is x, 1 is y, 2 is z.  Errors are as the file has
    them (YODA writes both sides as non-negative sizes)."""

    path: str
    values: Floats
    err_minus: Floats
    err_plus: Floats
    annotations: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        values = _floats(self.values)
        if values.ndim != 2 or not 1 <= values.shape[1] <= 3:
            raise HistfmtError("scatter values must have shape (points, 1..3)")
        object.__setattr__(self, "values", values)
        _check_arrays(self, ("err_minus", "err_plus"), values.shape)

    @property
    def dimension(self) -> int:
        """1, 2 or 3."""
        return int(self.values.shape[1])

    @property
    def type(self) -> str:
        """YODA's type name: ``Scatter1D``, ``Scatter2D`` or ``Scatter3D``."""
        return f"Scatter{self.dimension}D"

    @property
    def x(self) -> Floats:
        """The first coordinate of every point."""
        return self.values[:, 0]

    @property
    def y(self) -> Floats:
        """The second coordinate of every point (2-D and 3-D scatters)."""
        return self.values[:, 1]


@dataclass(frozen=True, eq=False)
class Estimate(_Equal):
    """Values with named error sources on 0, 1 or 2 axes (``Estimate0D``/``1D``/``2D``,
    ``BinnedEstimate<...>``).  ``values`` has one entry per bin (shape of the axes' sizes;
    ``()`` for 0-D); ``err_down``/``err_up`` add a last dimension, one per label, NaN
    where the file has no error (``---``).  Down errors keep their sign (usually <= 0)."""

    path: str
    axes: tuple[Axis, ...]
    values: Floats
    error_labels: tuple[str, ...]
    err_down: Floats
    err_up: Floats
    annotations: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "axes", tuple(self.axes))
        object.__setattr__(self, "error_labels", tuple(self.error_labels))
        shape = tuple(axis.size for axis in self.axes)
        _check_arrays(self, ("values",), shape)
        _check_arrays(self, ("err_down", "err_up"), (*shape, len(self.error_labels)))

    @property
    def type(self) -> str:
        """YODA's type name."""
        return _type_name("Estimate", self.axes)


YodaObject: TypeAlias = Counter | Histo1D | Profile1D | Histo2D | Scatter | Estimate

"""The in-memory document: typed structs holding numpy arrays.

These structs are also the wire format: :mod:`msgspec` decodes JSON straight into
them (type-checking every value in C), and the JSON Schema in ``schema/`` is
generated from them (:mod:`histfmt.schema`), so the schema and the reader
cannot drift apart.  Array fields hold ``numpy.ndarray`` at run time; in a file
they are lists of numbers where ``null`` stands for a missing value (NaN).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

import msgspec
import numpy as np
from msgspec import UNSET, Meta, Struct, UnsetType, field

from histfmt.codec import canonical_bytes
from histfmt.errors import HistfmtError

if TYPE_CHECKING:
    import numpy.typing as npt

    FloatArray: TypeAlias = npt.NDArray[np.float64]
    BinArray: TypeAlias = npt.NDArray[np.float64]
    EdgeArray: TypeAlias = npt.NDArray[np.float64]
else:
    FloatArray = list[float | None]
    # per-bin arrays: a list of numbers (1-D), or of rows (2-D: one row per x bin)
    BinArray = list[float | list[float | None] | None]
    EdgeArray = list[float]

__all__ = [
    "FORMAT_VERSION",
    "Asymmetric",
    "Axis",
    "Badge",
    "Book",
    "Document",
    "Efficiency",
    "Energy",
    "Graph",
    "HLine",
    "Layout",
    "Luminosity",
    "Metadata",
    "Profile",
    "Projection",
    "RatioAxis",
    "RatioItem",
    "Stack",
    "StackItem",
    "Style",
    "VLine",
    "Variation",
    "View",
    "YAxis",
    "Yield",
    "ZAxis",
]

FORMAT_VERSION = "1.1"
"""The format version this library writes (``MAJOR.MINOR``)."""

ErrorSpec = Literal[
    "none",
    "stat",
    "syst",
    "env",
    "stat+syst",
    "stat+env",
    "syst+env",
    "stat+syst+env",
    "poisson",
]
PoissonChoice = Annotated[
    bool | UnsetType,
    Meta(
        description="Points: the `stat` part of the error bars of counts is their Poisson "
        "(Garwood) interval (`true`) or their stored `stat` (`false`); absent: Poisson when "
        "every yield drawn is a count stored as `int`, or without `stat` and `variances` "
        "and holding whole numbers."
    ),
]
WriterInfo = Annotated[
    dict[str, dict[str, Any]],
    Meta(
        description="Per-library corner (keyed by library name) for details that only "
        "that library needs to round-trip. Readers must work without it."
    ),
]
YieldRef = Annotated[
    str,
    Meta(
        min_length=1,
        description="A yield name, or `name/variation/up` / `name/variation/down` "
        "for one side of a named variation of that yield.",
    ),
]
YieldName = Annotated[str, Meta(pattern=r"^[^/]+$", min_length=1, max_length=256)]
Label = Annotated[str, Meta(max_length=4096)]


class _Base(Struct, forbid_unknown_fields=True, omit_defaults=True, kw_only=True):
    """Common struct configuration: unknown keys are errors, defaults are not written."""


def _as_array(value: Any, *, max_ndim: int = 1) -> Any:
    """Coerce an array field to a float64 array of at most ``max_ndim`` dimensions;
    leave unset/structs alone."""
    if value is UNSET or value is None or isinstance(value, Struct):
        return value
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise HistfmtError(
            "expected an array of numbers"
            + (" (rows of a 2-D array must all have the same length)" if max_ndim > 1 else "")
        ) from None
    if not 1 <= array.ndim <= max_ndim:
        shape = "a 1-D array" if max_ndim == 1 else "a 1-D or 2-D array"
        raise HistfmtError(f"expected {shape} of numbers, got {array.ndim}-D")
    return array


def _as_bins(value: Any) -> Any:
    """A per-bin array: 1-D, or 2-D (x bins by y bins) in a document with a y axis.

    Rows of unequal length stay a list, for the semantic checks to name the row.
    """
    try:
        return _as_array(value, max_ndim=2)
    except HistfmtError:
        if isinstance(value, list) and any(isinstance(row, list) for row in value):
            lengths = {len(row) if isinstance(row, list) else -1 for row in value}
            if len(lengths) > 1:
                return value
        raise


def _unset_if_none(value: str | None) -> str | UnsetType:
    return UNSET if value is None else value


class Asymmetric(_Base):
    """An asymmetric uncertainty: separate upward and downward magnitudes."""

    up: Annotated[BinArray, Meta(description="Upward magnitudes (>= 0), one per bin.")]
    down: Annotated[BinArray, Meta(description="Downward magnitudes (>= 0), one per bin.")]

    def __post_init__(self) -> None:
        self.up = _as_bins(self.up)
        self.down = _as_bins(self.down)


Uncertainty = Annotated[
    BinArray | Asymmetric,
    Meta(
        description="One standard deviation per bin: an array (symmetric) or an "
        "object with `up` and `down` arrays (asymmetric)."
    ),
]


class Variation(_Base):
    """A named systematic variation: the absolute varied yields."""

    up: Annotated[
        BinArray | UnsetType,
        Meta(description="Yields with the source shifted up (absolute, not relative)."),
    ] = UNSET
    down: Annotated[
        BinArray | UnsetType,
        Meta(
            description="Yields with the source shifted down. A missing side is "
            "taken as the mirror image `2*values - up`."
        ),
    ] = UNSET

    def __post_init__(self) -> None:
        self.up = _as_bins(self.up)
        self.down = _as_bins(self.down)


class Profile(_Base):
    """What the means of a profile (`kind: "mean"`) were computed from, per bin."""

    entries: Annotated[
        BinArray,
        Meta(description="Number of entries per bin (effective number when weighted)."),
    ]
    sum_of_weights: Annotated[
        BinArray | UnsetType, Meta(description="Sum of the weights per bin.")
    ] = UNSET
    sum_of_weights_squared: Annotated[
        BinArray | UnsetType, Meta(description="Sum of the squared weights per bin.")
    ] = UNSET
    variance: Annotated[
        BinArray | UnsetType,
        Meta(
            description="Sample variance of the profiled quantity per bin (its spread, "
            "not the error of the mean); `null` where it is undefined."
        ),
    ] = UNSET

    def __post_init__(self) -> None:
        self.entries = _as_bins(self.entries)
        self.sum_of_weights = _as_bins(self.sum_of_weights)
        self.sum_of_weights_squared = _as_bins(self.sum_of_weights_squared)
        self.variance = _as_bins(self.variance)


CONFIDENCE_ONE_SIGMA = 0.682689492137086
"""The probability content of one standard deviation of a normal distribution."""


class Efficiency(_Base):
    """What an efficiency (`kind: "efficiency"`) was computed from, per bin."""

    passed: Annotated[BinArray, Meta(description="Events (or sum of weights) that passed.")]
    total: Annotated[BinArray, Meta(description="All events (or sum of weights).")]
    interval: Annotated[
        Literal["clopper-pearson", "wilson", "bayesian", "normal"],
        Meta(
            description="How `stat` was computed from `passed` and `total`: "
            "Clopper-Pearson (exact), Wilson score, Bayesian (Beta posterior, "
            "shortest interval), or normal approximation."
        ),
    ] = "clopper-pearson"
    confidence: Annotated[
        float,
        Meta(gt=0, lt=1, description="Probability content of the interval (one sigma)."),
    ] = CONFIDENCE_ONE_SIGMA
    prior: Annotated[
        tuple[Annotated[float, Meta(gt=0)], Annotated[float, Meta(gt=0)]],
        Meta(description="Bayesian interval: the Beta prior's (alpha, beta)."),
    ] = (1.0, 1.0)

    def __post_init__(self) -> None:
        self.passed = _as_bins(self.passed)
        self.total = _as_bins(self.total)


class Yield(_Base):
    """One named quantity per bin (a count by default) with its uncertainties."""

    values: Annotated[
        BinArray,
        Meta(
            description="The quantity per bin: absolute yields (not divided by the bin "
            "width), means or efficiencies, as `kind` says, including the flow bins the "
            "axes declare. With a `y` axis: one row per x bin, each with one value per y bin."
        ),
    ]
    kind: Annotated[
        Literal["count", "mean", "efficiency"],
        Meta(
            description="What `values` are: `count` (events or sums of weights), `mean` "
            "(a profile: the mean of a quantity per bin) or `efficiency` (passed / total)."
        ),
    ] = "count"
    stat: Uncertainty | UnsetType = UNSET
    variances: Annotated[
        BinArray | UnsetType,
        Meta(
            description="Sum of squared weights per bin (the statistical variance). "
            "Alternative to `stat`, kept exactly for histogram round trips."
        ),
    ] = UNSET
    syst: Uncertainty | UnsetType = UNSET
    variations: Annotated[
        dict[Annotated[str, Meta(pattern=r"^[^/]+$", min_length=1, max_length=256)], Variation],
        Meta(description="Named up/down variations, e.g. `JES`."),
    ] = {}
    storage: Annotated[
        Literal["int", "double", "weight", "mean", "weighted_mean"] | UnsetType,
        Meta(
            description="Histogram storage the yield came from: `int` (integer "
            "counts), `double` (weights, variance unknown unless `variances` is "
            "given), `weight` (weights and variances); for profiles `mean` or "
            "`weighted_mean`."
        ),
    ] = UNSET
    profile: Annotated[
        Profile | UnsetType,
        Meta(description="`kind: mean`: entries and sums behind the means."),
    ] = UNSET
    efficiency: Annotated[
        Efficiency | UnsetType,
        Meta(description="`kind: efficiency`: passed and total counts, and the interval."),
    ] = UNSET
    label: Annotated[Label | UnsetType, Meta(description="Human-readable name of the yield.")] = (
        UNSET
    )
    writer_info: WriterInfo = {}

    def __post_init__(self) -> None:
        self.values = _as_bins(self.values)
        self.stat = _as_bins(self.stat)
        self.variances = _as_bins(self.variances)
        self.syst = _as_bins(self.syst)


class Axis(_Base):
    """An axis (`x`, or `y` of a 2-D document): its binning (numeric edges or
    categories) and its labelling."""

    edges: Annotated[
        EdgeArray | UnsetType,
        Meta(
            description="Bin edges, strictly increasing, n+1 values for n bins. "
            "Required for numeric axes."
        ),
    ] = UNSET
    categories: Annotated[
        list[str | int] | UnsetType,
        Meta(description="Bin labels of a categorical axis (all strings or all integers, unique)."),
    ] = UNSET
    kind: Annotated[
        Literal["regular", "variable", "integer", "category"],
        Meta(
            description="Axis kind: `regular` (equal widths), `variable`, "
            "`integer` (unit-width integer bins) or `category`."
        ),
    ] = "variable"
    underflow: Annotated[bool, Meta(description="Arrays start with an underflow bin.")] = False
    overflow: Annotated[
        bool,
        Meta(description="Arrays end with an overflow bin (for categories: the 'other' bin)."),
    ] = False
    circular: Annotated[bool, Meta(description="The axis wraps around.")] = False
    name: Annotated[
        str | UnsetType, Meta(description="Identifier of the variable, e.g. `m_ll`.")
    ] = UNSET
    label: Annotated[
        Label | UnsetType,
        Meta(description="Human-readable name, e.g. `Dilepton mass`."),
    ] = UNSET
    symbol: Annotated[
        Label | UnsetType,
        Meta(description="Symbol, mathtext allowed, e.g. `$m_{\\ell\\ell}$`."),
    ] = UNSET
    unit: Annotated[Label | UnsetType, Meta(description="Unit of the variable, e.g. `GeV`.")] = (
        UNSET
    )
    unit_in_brackets: Annotated[
        bool,
        Meta(description="Always write the unit as `[GeV]` (false: as the drawing style does)."),
    ] = False
    log: Annotated[bool, Meta(description="Logarithmic scale.")] = False
    min: Annotated[float | UnsetType, Meta(description="Lower end of the drawn range.")] = UNSET
    max: Annotated[float | UnsetType, Meta(description="Upper end of the drawn range.")] = UNSET
    labels: Annotated[
        list[Label] | UnsetType,
        Meta(
            description="Text under each bin of a numeric axis instead of numbers, one per "
            "bin (may repeat, unlike categories), e.g. ROOT bin labels."
        ),
    ] = UNSET
    writer_info: WriterInfo = {}

    def __post_init__(self) -> None:
        self.edges = _as_array(self.edges)

    @classmethod
    def new(
        cls,
        edges: Any = None,
        /,
        *,
        categories: list[str] | list[int] | None = None,
        underflow: bool = False,
        overflow: bool = False,
        symbol: str | None = None,
        unit: str | None = None,
        label: str | None = None,
        name: str | None = None,
    ) -> Axis:
        """An axis on numeric ``edges`` (kind ``regular`` when the widths are equal,
        else ``variable``) or on ``categories``.

        Examples
        --------
        >>> Axis.new([0, 10, 20], unit="GeV").kind
        'regular'
        """
        if (edges is None) == (categories is None):
            raise HistfmtError("give either edges or categories")
        kind: Literal["regular", "variable", "category"] = "category"
        if edges is not None:
            edges = _as_array(edges)
            widths = np.diff(edges)
            equal = widths.size > 0 and np.allclose(widths, widths[0], rtol=1e-9, atol=0)
            kind = "regular" if equal else "variable"
        return cls(
            edges=UNSET if edges is None else edges,
            categories=UNSET if categories is None else list(categories),
            kind=kind,
            underflow=underflow,
            overflow=overflow,
            symbol=_unset_if_none(symbol),
            unit=_unset_if_none(unit),
            label=_unset_if_none(label),
            name=_unset_if_none(name),
        )

    @property
    def binned(self) -> bool:
        """The axis has bins (edges or categories), not only a label."""
        return not (isinstance(self.edges, UnsetType) and isinstance(self.categories, UnsetType))

    @property
    def n_bins(self) -> int:
        """Number of regular (non-flow) bins."""
        if not isinstance(self.categories, UnsetType):
            return len(self.categories)
        if isinstance(self.edges, UnsetType):
            return 0
        return max(len(self.edges) - 1, 0)

    @property
    def n_values(self) -> int:
        """Length every per-bin array must have: bins plus declared flow bins."""
        return self.n_bins + int(self.underflow) + int(self.overflow)

    def same_binning(self, other: Axis, /, *, flow: bool) -> bool:
        """The same edges (or categories); with ``flow``, the same declared flow bins too."""
        if flow and (self.underflow, self.overflow) != (other.underflow, other.overflow):
            return False
        if isinstance(self.edges, UnsetType) or isinstance(other.edges, UnsetType):
            return self.categories == other.categories
        return bool(np.array_equal(self.edges, other.edges))


class Projection(_Base):
    """A 2-D document drawn as 1-D: its bins summed along one axis (a range of them for
    a slice)."""

    onto: Annotated[
        Literal["x", "y"], Meta(description="The axis kept: the plot's horizontal axis.")
    ]
    bins: Annotated[
        tuple[Annotated[int, Meta(ge=0)], Annotated[int, Meta(ge=1)]] | UnsetType,
        Meta(
            description="`[start, stop)`: the regular bins of the other axis summed "
            "(0-based, flow bins not counted); absent: all of them, and its flow bins "
            "when the view includes them."
        ),
    ] = UNSET


class View(_Base):
    """Render-time choices that do not change the stored numbers."""

    rebin: Annotated[
        EdgeArray | UnsetType,
        Meta(
            description="Edges to draw with; a subset of `x.edges`. Content "
            "outside their range moves into the flow bins."
        ),
    ] = UNSET
    include_underflow: Annotated[
        bool, Meta(description="Add the underflow bin to the first drawn bin.")
    ] = False
    include_overflow: Annotated[
        bool, Meta(description="Add the overflow bin to the last drawn bin.")
    ] = False
    density_width: Annotated[
        Annotated[float, Meta(gt=0)] | UnsetType,
        Meta(
            description="Divide each bin by `width / density_width`: "
            "the y axis reads 'events per density_width units'."
        ),
    ] = UNSET
    density: Annotated[bool, Meta(description="Normalise every drawn yield to unit area.")] = False
    project: Annotated[
        Projection | UnsetType,
        Meta(description="Draw a 2-D document as its projection (or slice) onto x or y."),
    ] = UNSET

    def __post_init__(self) -> None:
        self.rebin = _as_array(self.rebin)


class Style(_Base):
    """Drawing style of an item (matplotlib vocabulary)."""

    color: Annotated[
        Annotated[str, Meta(max_length=64)] | UnsetType,
        Meta(description="Fill or marker colour."),
    ] = UNSET
    edgecolor: Annotated[
        Annotated[str, Meta(max_length=64)] | UnsetType,
        Meta(description="Line or edge colour."),
    ] = UNSET
    linestyle: Annotated[
        Literal["-", "--", "-.", ":"] | UnsetType, Meta(description="Line style.")
    ] = UNSET
    linewidth: Annotated[
        Annotated[float, Meta(ge=0)] | UnsetType,
        Meta(description="Line width in points."),
    ] = UNSET
    marker: Annotated[
        Annotated[str, Meta(max_length=16)] | UnsetType,
        Meta(description="Marker, e.g. `o`, `s`."),
    ] = UNSET
    markersize: Annotated[
        Annotated[float, Meta(ge=0)] | UnsetType,
        Meta(description="Marker size in points."),
    ] = UNSET
    hatch: Annotated[
        Annotated[str, Meta(pattern=r"^[-+x\\*oO./|]*$", max_length=16)] | UnsetType,
        Meta(description="Hatch pattern."),
    ] = UNSET
    alpha: Annotated[
        Annotated[float, Meta(ge=0, le=1)] | UnsetType,
        Meta(description="Opacity, 0 to 1."),
    ] = UNSET


ItemLabel = Annotated[
    Label | UnsetType | None,
    Meta(description="Legend entry; `null` or absent: not in the legend."),
]


class StackItem(_Base):
    """One layer of a stack: the sum of one or more yields."""

    yields: Annotated[
        list[YieldRef],
        Meta(min_length=1, description="Yields summed into this layer."),
    ]
    label: ItemLabel = UNSET
    style: Style = field(default_factory=Style)


class Stack(_Base):
    """Layers drawn on top of each other, bottom first."""

    content: Annotated[list[StackItem], Meta(description="Layers, bottom first.")]
    type: Annotated[
        Literal["filled", "step", "points", "band", "map"],
        Meta(
            description="How the layers are drawn; `map`: a 2-D yield as a colour map (one layer)."
        ),
    ] = "filled"
    error: Annotated[
        ErrorSpec,
        Meta(
            description="Uncertainty drawn for the stack total: parts added in "
            "quadrature; `env` is the envelope of the variations; `poisson` a Poisson "
            "(Garwood) interval computed from the values."
        ),
    ] = "stat"
    poisson: PoissonChoice = UNSET
    x_errorbar: Annotated[
        bool, Meta(description="Points: draw horizontal bars of half the bin width.")
    ] = False
    keep_zero: Annotated[bool, Meta(description="Points: draw empty bins too.")] = False
    cell_text: Annotated[
        bool, Meta(description="Map: write each cell's value (and uncertainty) in it.")
    ] = False
    correlated: Annotated[
        bool,
        Meta(
            description="The `env` part is a covariance: the named variations are "
            "independent one-sigma sources, each fully correlated across bins and yields, "
            "so the total has the bin-to-bin covariance sum_v d_v d_v^T."
        ),
    ] = False


class RatioItem(_Base):
    """One entry of the bottom panel: numerator compared with a denominator."""

    numerator: Annotated[
        list[YieldRef], Meta(min_length=1, description="Yields summed in the numerator.")
    ]
    denominator: Annotated[
        list[YieldRef],
        Meta(
            description="Yields summed in the denominator; empty: compare with "
            "unity (the numerator itself is drawn)."
        ),
    ] = []
    type: Annotated[
        Literal["filled", "step", "points", "band"], Meta(description="How it is drawn.")
    ] = "points"
    error: Annotated[ErrorSpec, Meta(description="Numerator uncertainty.")] = "stat"
    den_error: Annotated[
        ErrorSpec | UnsetType,
        Meta(description="Denominator uncertainty (band around 1); default: `error`."),
    ] = UNSET
    poisson: PoissonChoice = UNSET
    x_errorbar: Annotated[bool, Meta(description="Points: draw horizontal bars.")] = False
    keep_zero: Annotated[bool, Meta(description="Points: draw empty bins too.")] = False
    label: ItemLabel = UNSET
    style: Style = field(default_factory=Style)


class ZAxis(_Base):
    """The colour scale of a 2-D document's maps."""

    label: Annotated[Label | UnsetType, Meta(description="Colour-bar label; default 'Events'.")] = (
        UNSET
    )
    log: Annotated[bool, Meta(description="Logarithmic colour scale.")] = False
    min: Annotated[float | UnsetType, Meta(description="Lowest value of the scale.")] = UNSET
    max: Annotated[float | UnsetType, Meta(description="Highest value of the scale.")] = UNSET
    colormap: Annotated[
        Annotated[str, Meta(pattern=r"^[A-Za-z0-9_.]{1,64}$")] | UnsetType,
        Meta(description="A matplotlib colormap name, e.g. `viridis` (the default)."),
    ] = UNSET


class YAxis(_Base):
    """The y axis of the main panel."""

    label: Annotated[
        Label | UnsetType,
        Meta(description="Axis label; default 'Events / <bin width> <unit>'."),
    ] = UNSET
    append_unit: Annotated[bool, Meta(description="Append ' / <bin width> <unit>' to `label`.")] = (
        False
    )
    log: Annotated[bool, Meta(description="Logarithmic y scale.")] = False
    min: Annotated[float | UnsetType, Meta(description="Lower y limit.")] = UNSET
    max: Annotated[float | UnsetType, Meta(description="Upper y limit.")] = UNSET


class RatioAxis(_Base):
    """The y axis of the bottom (comparison) panel."""

    kind: Annotated[
        Literal["ratio", "difference", "pull"],
        Meta(
            description="What the panel shows: numerator/denominator, "
            "numerator-denominator, or (numerator-denominator)/uncertainty."
        ),
    ] = "ratio"
    label: Annotated[Label | UnsetType, Meta(description="Axis label.")] = UNSET
    log: Annotated[bool, Meta(description="Logarithmic scale.")] = False
    min: Annotated[float | UnsetType, Meta(description="Lower limit.")] = UNSET
    max: Annotated[float | UnsetType, Meta(description="Upper limit.")] = UNSET


class Layout(_Base):
    """Figure geometry."""

    size: Annotated[
        tuple[Annotated[float, Meta(gt=0, le=100)], Annotated[float, Meta(gt=0, le=100)]]
        | UnsetType,
        Meta(description="Figure width and height in inches."),
    ] = UNSET
    ratio_fraction: Annotated[
        Annotated[float, Meta(gt=0, le=0.9)] | UnsetType,
        Meta(description="Share of the height used by the ratio panel."),
    ] = UNSET


class VLine(_Base):
    """A vertical line at `x`, drawn in every panel."""

    x: Annotated[float, Meta(description="Position on the x axis.")]
    range: Annotated[
        tuple[float, float] | UnsetType,
        Meta(description="[y0, y1] extent; default: the full panel height."),
    ] = UNSET
    label: ItemLabel = UNSET
    style: Style = field(default_factory=Style)


class HLine(_Base):
    """A horizontal line at `y` in the main panel."""

    y: Annotated[float, Meta(description="Position on the y axis.")]
    range: Annotated[
        tuple[float, float] | UnsetType,
        Meta(description="[x0, x1] extent; default: the full panel width."),
    ] = UNSET
    label: ItemLabel = UNSET
    style: Style = field(default_factory=Style)


class Graph(_Base):
    """Free (x, y) points or a line, e.g. a theory curve."""

    x: Annotated[FloatArray, Meta(description="x coordinates.")]
    y: Annotated[FloatArray, Meta(description="y coordinates, same length as `x`.")]
    x_errors: Annotated[
        FloatArray | Asymmetric | UnsetType,
        Meta(description="Errors on x, one per point: an array or `up`/`down` arrays."),
    ] = UNSET
    y_errors: Annotated[
        FloatArray | Asymmetric | UnsetType,
        Meta(
            description="Errors on y, one per point: an array or `up`/`down` arrays; with "
            "`y_sources`, their total."
        ),
    ] = UNSET
    y_sources: Annotated[
        dict[Annotated[str, Meta(min_length=1, max_length=256)], FloatArray | Asymmetric],
        Meta(
            description="Named sources of the y errors (e.g. `stat`, `sys,JES`), one "
            "standard deviation per point: an array or `up`/`down` arrays."
        ),
    ] = {}
    type: Annotated[Literal["points", "line"], Meta(description="Draw markers or a line.")] = (
        "points"
    )
    label: ItemLabel = UNSET
    style: Style = field(default_factory=Style)

    def __post_init__(self) -> None:
        self.x = _as_array(self.x)
        self.y = _as_array(self.y)
        self.x_errors = _as_array(self.x_errors)
        self.y_errors = _as_array(self.y_errors)
        self.y_sources = {key: _as_array(value) for key, value in self.y_sources.items()}


class Badge(_Base):
    """Experiment label drawn in the corner of the main panel."""

    brand: Annotated[
        Label | UnsetType | None,
        Meta(description="Experiment (ATLAS, CMS, LHCb, ALICE) or free text; `null`: no brand."),
    ] = UNSET
    label: Annotated[
        Label | UnsetType, Meta(description="Text after the brand, e.g. `Internal`.")
    ] = UNSET
    subtext: Annotated[
        Label | UnsetType,
        Meta(description="Lines below the badge (`\\n` separates lines)."),
    ] = UNSET
    show_luminosity: Annotated[
        bool, Meta(description="Draw √s and luminosity from `metadata`.")
    ] = True


class Luminosity(_Base):
    """Integrated luminosity with its unit."""

    value: Annotated[float, Meta(ge=0, description="The integrated luminosity.")]
    unit: Annotated[Literal["nb-1", "pb-1", "fb-1", "ab-1"], Meta(description="Its unit.")] = "fb-1"


class Energy(_Base):
    """Centre-of-mass energy with its unit."""

    value: Annotated[float, Meta(gt=0, description="The energy.")]
    unit: Annotated[Literal["GeV", "TeV"], Meta(description="Its unit.")] = "TeV"


class Metadata(_Base):
    """Who made the plot, from what, and what it shows."""

    title: Annotated[Label | UnsetType, Meta(description="Short title.")] = UNSET
    description: Annotated[
        Annotated[str, Meta(max_length=65536)] | UnsetType,
        Meta(description="Free text description."),
    ] = UNSET
    author: Annotated[Label | UnsetType, Meta(description="Author(s).")] = UNSET
    date: Annotated[
        Annotated[str, Meta(pattern=r"^\d{4}-\d{2}-\d{2}")] | UnsetType,
        Meta(description="Creation date, ISO 8601."),
    ] = UNSET
    filename: Annotated[
        Label | UnsetType, Meta(description="Suggested file name (no extension).")
    ] = UNSET
    producer: Annotated[Label | UnsetType, Meta(description="Software that wrote the file.")] = (
        UNSET
    )
    code_revision: Annotated[
        Label | UnsetType, Meta(description="Revision of the analysis code.")
    ] = UNSET
    event_selection: Annotated[
        Annotated[str, Meta(max_length=65536)] | UnsetType,
        Meta(description="The selection applied."),
    ] = UNSET
    tags: Annotated[
        list[Annotated[str, Meta(min_length=1, max_length=256)]],
        Meta(description="Keywords for search and filtering."),
    ] = []
    luminosity: Annotated[
        Luminosity | UnsetType, Meta(description="Integrated luminosity of the data.")
    ] = UNSET
    sqrt_s: Annotated[Energy | UnsetType, Meta(description="Centre-of-mass energy (√s).")] = UNSET
    extra: Annotated[dict[str, Any], Meta(description="Free key/value metadata.")] = {}


class Document(_Base, kw_only=True):
    """One plot as data: binning, yields, how they are drawn, and metadata."""

    schema_uri: Annotated[
        str | UnsetType,
        Meta(description="URI of the JSON Schema, for editors."),
    ] = field(default=UNSET, name="$schema")
    histfmt: Annotated[
        str,
        Meta(
            pattern=r"^1\.[0-9]+(?!\n)$",
            description="Format version, `MAJOR.MINOR`. Readers refuse a newer "
            "major version and read every older one.",
        ),
    ]
    x: Annotated[Axis, Meta(description="The x axis and its binning.")]
    y: Annotated[
        Axis | UnsetType,
        Meta(description="The y axis of a 2-D document (its values are x-by-y arrays)."),
    ] = UNSET
    yields: Annotated[
        dict[YieldName, Yield],
        Meta(description="Named yields; names may not contain `/`."),
    ]
    stacks: Annotated[
        list[Stack], Meta(description="Stacks in the main panel, drawn in order.")
    ] = []
    ratio: Annotated[
        list[RatioItem], Meta(description="Items of the bottom panel; empty: no panel.")
    ] = []
    metadata: Annotated[
        Metadata, Meta(description="Who made the plot, from what, and what it shows.")
    ] = field(default_factory=Metadata)
    badge: Annotated[
        Badge | UnsetType, Meta(description="Experiment badge; absent: none drawn.")
    ] = UNSET
    view: Annotated[
        View, Meta(description="Render-time choices: rebinning, flow bins, normalisation.")
    ] = field(default_factory=View)
    y_axis: Annotated[YAxis, Meta(description="The y axis of the main panel.")] = field(
        default_factory=YAxis
    )
    ratio_axis: Annotated[RatioAxis, Meta(description="The y axis of the bottom panel.")] = field(
        default_factory=RatioAxis
    )
    z_axis: Annotated[ZAxis, Meta(description="The colour scale of 2-D maps.")] = field(
        default_factory=ZAxis
    )
    layout: Annotated[Layout, Meta(description="Figure size and panel split.")] = field(
        default_factory=Layout
    )
    v_lines: Annotated[list[VLine], Meta(description="Vertical lines.")] = []
    h_lines: Annotated[list[HLine], Meta(description="Horizontal lines.")] = []
    graphs: Annotated[list[Graph], Meta(description="Free (x, y) graphs.")] = []
    writer_info: WriterInfo = {}

    # -- builder API -----------------------------------------------------------

    @classmethod
    def new(
        cls,
        edges: Any = None,
        /,
        *,
        categories: list[str] | list[int] | None = None,
        underflow: bool = False,
        overflow: bool = False,
        symbol: str | None = None,
        unit: str | None = None,
        label: str | None = None,
        name: str | None = None,
        y: Axis | None = None,
    ) -> Document:
        """Start an empty document on numeric ``edges`` or ``categories``; with a ``y``
        axis (:meth:`Axis.new`) the document is 2-D.

        Examples
        --------
        >>> doc = Document.new([0, 10, 20], symbol="$p_T$", unit="GeV")
        >>> doc.x.n_bins
        2
        >>> Document.new([0, 1, 2], y=Axis.new(categories=["a", "b", "c"])).shape
        (2, 3)
        """
        axis = Axis.new(
            edges, categories=categories, underflow=underflow, overflow=overflow,
            symbol=symbol, unit=unit, label=label, name=name,
        )  # fmt: skip
        return cls(histfmt=FORMAT_VERSION, x=axis, y=UNSET if y is None else y, yields={})

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of every per-bin array: ``(nx,)``, or ``(nx, ny)`` with a y axis;
        flow bins included."""
        if isinstance(self.y, UnsetType):
            return (self.x.n_values,)
        return (self.x.n_values, self.y.n_values)

    def add_yield(
        self,
        name: str,
        values: Any,
        /,
        *,
        stat: Any = None,
        syst: Any = None,
        variances: Any = None,
        variations: dict[str, tuple[Any, Any]] | None = None,
        label: str | None = None,
    ) -> Document:
        """Add (or replace) the yield ``name``; returns the document for chaining.

        ``stat`` and ``syst`` are arrays (symmetric) or ``(up, down)`` pairs;
        ``variations`` maps a source name to ``(up, down)`` absolute yields
        (either may be ``None``).
        """

        def uncertainty(value: Any) -> Any:
            if value is None:
                return UNSET
            if isinstance(value, tuple) and len(value) == 2:
                return Asymmetric(up=value[0], down=value[1])
            return value

        values = _as_bins(values)
        if not isinstance(values, np.ndarray):
            raise HistfmtError("expected an array of numbers with rows of equal length")
        if values.ndim != len(self.shape):
            raise HistfmtError(
                f"expected a {len(self.shape)}-D array of numbers for this document, "
                f"got {values.ndim}-D"
            )
        self.yields[name] = Yield(
            values=values,
            stat=uncertainty(stat),
            syst=uncertainty(syst),
            variances=UNSET if variances is None else variances,
            variations={
                source: Variation(
                    up=UNSET if up is None else up, down=UNSET if down is None else down
                )
                for source, (up, down) in (variations or {}).items()
            },
            label=UNSET if label is None else label,
        )
        return self

    def add_stack(
        self,
        items: list[str | tuple[str | list[str], str | None]],
        /,
        *,
        type: Literal["filled", "step", "points", "band", "map"] = "filled",
        error: ErrorSpec = "stat",
        styles: list[Style | dict[str, Any]] | None = None,
        poisson: bool | None = None,
    ) -> Document:
        """Add a stack, bottom layer first.

        Each item is a yield name (its label is the yield's ``label`` or name) or a
        ``(yields, label)`` pair, where ``yields`` is a name or a list of names.
        ``poisson`` (points): Poisson or stored ``stat`` error bars; None: the rule
        (Poisson for counts stored as ``int`` or without ``stat``/``variances``).
        """
        content = []
        for index, item in enumerate(items):
            text: str | None
            if isinstance(item, str):
                names, text = [item], self._default_label(item)
            else:
                names = [item[0]] if isinstance(item[0], str) else list(item[0])
                text = item[1]
            style: Any = styles[index] if styles else Style()
            if isinstance(style, dict):
                style = msgspec.convert(style, Style)
            content.append(StackItem(yields=names, label=text, style=style))
        chosen = UNSET if poisson is None else poisson
        self.stacks.append(Stack(content=content, type=type, error=error, poisson=chosen))
        return self

    def add_ratio(
        self,
        numerator: str | list[str],
        denominator: str | list[str] | None = None,
        /,
        *,
        type: Literal["filled", "step", "points", "band"] = "points",
        error: ErrorSpec = "stat",
        den_error: ErrorSpec | None = None,
        label: str | None = None,
        poisson: bool | None = None,
    ) -> Document:
        """Add a bottom-panel item comparing ``numerator`` with ``denominator``
        (``poisson``: as in :meth:`add_stack`, for the numerator)."""

        def names(value: str | list[str] | None) -> list[str]:
            if value is None:
                return []
            return [value] if isinstance(value, str) else list(value)

        self.ratio.append(
            RatioItem(
                numerator=names(numerator),
                denominator=names(denominator),
                type=type,
                error=error,
                den_error=UNSET if den_error is None else den_error,
                label=UNSET if label is None else label,
                poisson=UNSET if poisson is None else poisson,
            )
        )
        return self

    def _default_label(self, name: str) -> str:
        found = self.yields.get(name)
        if found is not None and isinstance(found.label, str):
            return found.label
        return name

    # -- conversions -------------------------------------------------------------

    def to_hist(self, name: str | None = None, /) -> Any:
        """The yield ``name`` as a :class:`hist.Hist` (exact, through UHI).

        ``name`` may be omitted when the document has a single yield.
        """
        from histfmt.convert.uhi import yield_to_hist

        return yield_to_hist(self, self._pick(name))

    def to_uhi(self, name: str | None = None, /) -> dict[str, Any]:
        """The yield ``name`` as a UHI serialization dict."""
        from histfmt.convert.uhi import yield_to_uhi

        return yield_to_uhi(self, self._pick(name))

    def _pick(self, name: str | None) -> str:
        if name is not None:
            if name not in self.yields:
                raise HistfmtError(f"no yield named {name!r} (have: {sorted(self.yields)})")
            return name
        if len(self.yields) != 1:
            raise HistfmtError(
                f"the document has {len(self.yields)} yields; name one of {sorted(self.yields)}"
            )
        return next(iter(self.yields))

    # -- notebook display --------------------------------------------------------------

    def _repr_html_(self) -> str | None:
        """The plot, drawn once, beside a short summary, for Jupyter: the interactive
        chart, offline, when its numbers are small enough (with the PNG where scripts do
        not run), else one inline PNG (see :mod:`histfmt.render.notebook`); None when
        neither can be drawn."""
        try:
            from histfmt.render.notebook import notebook_html
        except ImportError:
            return None
        return notebook_html(self)

    def __repr__(self) -> str:
        binning = _binning_text(self.x)
        if not isinstance(self.y, UnsetType):
            binning += f" by {_binning_text(self.y)}"
        names = ", ".join(list(self.yields)[:6]) + (", ..." if len(self.yields) > 6 else "")
        graphs = f"; {_count(len(self.graphs), 'graph')}" if self.graphs else ""
        return (
            f"<histfmt.Document {self.histfmt}: {binning}; yields: {names or '-'}; "
            f"{_count(len(self.stacks), 'stack')}; {_count(len(self.ratio), 'ratio item')}{graphs}>"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Document):
            return NotImplemented
        return canonical_bytes(self) == canonical_bytes(other)

    __hash__ = None  # type: ignore[assignment]


def _count(n: int, noun: str) -> str:
    """'1 stack', '2 stacks'."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _binning_text(axis: Axis) -> str:
    if not isinstance(axis.categories, UnsetType):
        return f"{axis.n_bins} categories"
    if isinstance(axis.edges, UnsetType) or len(axis.edges) < 2:
        return "no bins"
    return f"{axis.n_bins} bins {axis.edges[0]:g}..{axis.edges[-1]:g}"


PlotPath = Annotated[str, Meta(min_length=1, max_length=1024)]


def _path_matches(path: str, pattern: str) -> bool:
    """Whether a plot's path matches a shell pattern (see :meth:`Book.select`)."""
    import fnmatch

    pattern = pattern.strip("/")
    if fnmatch.fnmatchcase(path, pattern) or path.startswith(pattern + "/"):
        return True
    return pattern.startswith("**/") and _path_matches(path, pattern[3:])


class Book(_Base, kw_only=True):
    """Many plots in one file, each a complete document, keyed by a path such as
    ``dir/sub/name`` (a ROOT directory tree, a YODA file, a HEPData submission)."""

    schema_uri: Annotated[
        str | UnsetType,
        Meta(description="URI of the JSON Schema, for editors."),
    ] = field(default=UNSET, name="$schema")
    histfmt: Annotated[
        str,
        Meta(
            pattern=r"^1\.[0-9]+(?!\n)$",
            description="Format version, `MAJOR.MINOR` (1.1 or later).",
        ),
    ]
    plots: Annotated[
        dict[PlotPath, Document],
        Meta(description="The plots, in order, keyed by path; each a complete document."),
    ]
    metadata: Annotated[
        Metadata, Meta(description="What the whole book is: title, source, authors.")
    ] = field(default_factory=Metadata)
    writer_info: WriterInfo = {}

    @classmethod
    def new(cls, plots: dict[str, Document] | None = None, /) -> Book:
        """A book holding ``plots`` (path -> document), in order."""
        return cls(histfmt=FORMAT_VERSION, plots=dict(plots or {}))

    def select(self, *patterns: str) -> Book:
        """The plots whose path matches any of the shell-style ``patterns``, in order
        (``dir/*``, ``Table ?``, ``[ab]/*``; ``*`` also crosses ``/``; ``**/`` also
        matches no folder at all; a folder's path selects everything under it); no
        pattern: all of them. Metadata is kept.

        >>> book = Book.new({"a/x": Document.new([0, 1]), "b/a/y": Document.new([0, 1])})
        >>> list(book.select("a/*").plots), list(book.select("**/y", "a").plots)
        (['a/x'], ['a/x', 'b/a/y'])
        """
        if not patterns:
            return self
        chosen = {
            path: plot
            for path, plot in self.plots.items()
            if any(_path_matches(path, pattern) for pattern in patterns)
        }
        return msgspec.structs.replace(self, plots=chosen)

    @property
    def skipped(self) -> dict[str, str]:
        """Objects of the source file that are not in the book, with the reason
        (``metadata.extra["skipped"]``, as converters record them)."""
        found = self.metadata.extra.get("skipped", {})
        return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}

    def __repr__(self) -> str:
        paths = ", ".join(list(self.plots)[:4]) + (", ..." if len(self.plots) > 4 else "")
        return f"<histfmt.Book {self.histfmt}: {len(self.plots)} plots: {paths or '-'}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Book):
            return NotImplemented
        return canonical_bytes(self) == canonical_bytes(other)

    __hash__ = None  # type: ignore[assignment]

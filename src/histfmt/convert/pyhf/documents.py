"""A pyhf prediction as a book: one plot per channel, every sample a yield in a filled
stack whose band is the quadrature sum of the named variations (``error: "env"``), the
observed data as points with a Poisson interval, and their ratio."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from msgspec import UNSET

from histfmt.errors import ValidationError
from histfmt.model import Book, Document, Metadata, Style

if TYPE_CHECKING:
    from histfmt.convert.pyhf.description import (
        ChannelDescription,
        Description,
        SampleDescription,
    )
    from histfmt.convert.pyhf.fit import FitResult
    from histfmt.convert.pyhf.prediction import Prediction
    from histfmt.convert.pyhf.workspace import Workspace

__all__ = ["DATA", "book_of", "check_description", "yield_name"]

DATA = "data"
"""The name of the observed data's yield (``data_observed`` when a sample is so named)."""


def yield_name(name: str) -> str:
    """A sample or parameter name as a histfmt yield or variation name (no ``/``)."""
    return name.replace("/", "_")[:256] or "_"


def check_description(workspace: Workspace, description: Description, filename: str) -> None:
    """Refuse a description that does not fit the workspace: a channel missing or
    unknown, edges of the wrong length or not increasing, an unknown sample."""
    model = workspace.model
    channels = list(model.config.channels)
    missing = [name for name in channels if name not in description.channels]
    if missing:
        raise ValidationError.at(
            ["channels"],
            f"no description of channel {missing[0]!r} of the workspace "
            f"(described: {', '.join(map(repr, description.channels)) or 'none'})",
            filename=filename,
        )
    everywhere = set(model.config.samples)
    for key in ("order", "samples"):
        for name in getattr(description, key):
            if name not in everywhere:
                raise ValidationError.at(
                    [key], f"no sample {name!r} in the workspace", filename=filename
                )
    for channel, found in description.channels.items():
        where: list[str | int] = ["channels", channel]
        if channel not in channels:
            raise ValidationError.at(
                where, f"the workspace has no channel {channel!r}", filename=filename
            )
        _check_channel(workspace, channel, found, where, filename)


def _check_channel(
    workspace: Workspace,
    channel: str,
    found: ChannelDescription,
    where: list[str | int],
    filename: str,
) -> None:
    n_bins = int(workspace.model.config.channel_nbins[channel])
    if not isinstance(found.edges, type(UNSET)):
        edges = np.asarray(found.edges, dtype=np.float64)
        if len(edges) != n_bins + 1:
            raise ValidationError.at(
                [*where, "edges"],
                f"{len(edges)} edges for {n_bins} bins: give {n_bins + 1}",
                filename=filename,
            )
        if not np.all(np.isfinite(edges)) or np.any(np.diff(edges) <= 0):
            raise ValidationError.at(
                [*where, "edges"], "edges must be finite and strictly increasing",
                filename=filename,
            )  # fmt: skip
    present = set(workspace.samples_in(channel))
    for key in ("order", "samples"):
        for name in getattr(found, key) or ():
            if name not in present:
                raise ValidationError.at(
                    [*where, key], f"no sample {name!r} in channel {channel!r}",
                    filename=filename,
                )  # fmt: skip


def book_of(
    workspace: Workspace,
    prediction: Prediction,
    description: Description | None = None,
    fit: FitResult | None = None,
) -> Book:
    """One document per channel of ``workspace``, from ``prediction``."""
    plots = {
        channel: _document(workspace, prediction, channel, description)
        for channel in workspace.model.config.channels
    }
    book = Book.new(plots)
    extra: dict[str, Any] = {"pyhf": _about(workspace, prediction)}
    if fit is not None:
        extra["pyhf_fit"] = fit.as_dict()
    book.metadata = Metadata(producer="histfmt (pyhf workspace)", extra=extra)
    return book


def _about(workspace: Workspace, prediction: Prediction) -> dict[str, Any]:
    return {
        "stage": prediction.stage,
        "measurement": workspace.measurement,
        "poi": str(workspace.model.config.poi_name),
    }


def _document(
    workspace: Workspace,
    prediction: Prediction,
    channel: str,
    description: Description | None,
) -> Document:
    model = workspace.model
    where = model.config.channel_slices[channel]
    n_bins = int(model.config.channel_nbins[channel])
    found = description.channels[channel] if description is not None else None
    doc = _axis(found, n_bins)
    names = workspace.samples_in(channel)
    data = DATA if DATA not in {yield_name(n) for n in names} else "data_observed"
    everywhere = list(model.config.samples)
    for sample in names:
        row = everywhere.index(sample)
        nominal = prediction.nominal[row, where]
        variations: dict[str, tuple[Any, Any]] = {}
        for source, (up, down) in prediction.variations.items():
            up_here = up[row, where]
            down_here = None if down is None else down[row, where]
            if np.any(up_here != nominal) or (
                down_here is not None and np.any(down_here != nominal)
            ):
                variations[yield_name(source)] = (up_here, down_here)
        doc.add_yield(
            yield_name(sample), nominal, variations=variations,
            label=_style(description, found, sample).label or None,
        )  # fmt: skip
    observed = _observations(workspace, channel)
    doc.add_yield(data, observed)
    order = _order(names, description, found)
    styles: list[Style | dict[str, Any]] = [
        _stack_style(_style(description, found, s)) for s in order
    ]
    doc.add_stack([yield_name(s) for s in order], type="filled", error="env", styles=styles)
    doc.stacks[-1].correlated = True  # each variation one independent Gaussian source
    data_style = description.data if description is not None else None
    label = data_style.label if data_style and isinstance(data_style.label, str) else "Data"
    color = data_style.color if data_style and isinstance(data_style.color, str) else "black"
    doc.add_stack([(data, label)], type="points", error="poisson", styles=[Style(color=color)])
    doc.add_ratio(data, [yield_name(s) for s in order], error="poisson", den_error="env")
    title = found.title if found is not None and isinstance(found.title, str) else channel
    doc.metadata = Metadata(
        title=title, producer="histfmt (pyhf workspace)",
        extra={"pyhf": {"channel": channel, **_about(workspace, prediction)}},
    )  # fmt: skip
    doc.y_axis.log = bool(found is not None and found.log)
    doc.ratio_axis.label = "Data / Pred."
    return doc


def _axis(found: ChannelDescription | None, n_bins: int) -> Document:
    if found is None or isinstance(found.edges, type(UNSET)):
        doc = Document.new(np.arange(n_bins + 1, dtype=np.float64), label="Bin index")
        doc.x.kind = "integer"
    else:
        doc = Document.new(found.edges)
    if found is not None:
        for key in ("name", "label", "symbol", "unit"):
            value = getattr(found, key)
            if isinstance(value, str):
                setattr(doc.x, key, value)
    return doc


def _observations(workspace: Workspace, channel: str) -> Any:
    for entry in workspace.spec["observations"]:
        if entry["name"] == channel:
            return np.asarray(entry["data"], dtype=np.float64)
    return np.zeros(int(workspace.model.config.channel_nbins[channel]))


def _order(
    names: list[str], description: Description | None, found: ChannelDescription | None
) -> list[str]:
    wanted: list[str] = []
    if found is not None and not isinstance(found.order, type(UNSET)):
        wanted = list(found.order)
    elif description is not None:
        wanted = [name for name in description.order if name in names]
    return wanted + [name for name in names if name not in wanted]


class _Chosen:
    def __init__(self, label: str | None, color: str | None) -> None:
        self.label = label
        self.color = color


def _style(
    description: Description | None, found: ChannelDescription | None, sample: str
) -> _Chosen:
    """A sample's label and colour: the channel's entry, else the description's."""
    entries: list[SampleDescription] = []
    if found is not None and sample in found.samples:
        entries.append(found.samples[sample])
    if description is not None and sample in description.samples:
        entries.append(description.samples[sample])
    label = next((e.label for e in entries if isinstance(e.label, str)), None)
    color = next((e.color for e in entries if isinstance(e.color, str)), None)
    return _Chosen(label, color)


def _stack_style(chosen: _Chosen) -> Style:
    return Style(color=chosen.color) if chosen.color else Style()

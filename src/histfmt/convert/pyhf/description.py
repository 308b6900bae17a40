"""The plot description: what a fit model does not say about its plots.

A small JSON (or YAML) file beside a workspace, defined by
``schema/histfmt-description-1.schema.json`` (shipped in the package too) and explained
in ``spec/plot-description.md``: per channel the bin edges and the observable (name,
label, symbol, unit), a title and the stacking order; sample labels and colours for every
channel or one. ``python -m histfmt.convert.pyhf.description`` rewrites both schema copies.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from histfmt.errors import HistfmtError, Issue, ValidationError

if TYPE_CHECKING:
    import os

__all__ = [
    "DESCRIPTION_SCHEMA_FILENAME",
    "ChannelDescription",
    "Description",
    "SampleDescription",
    "generate",
    "load_description",
    "parse_description",
]

DESCRIPTION_SCHEMA_FILENAME = "histfmt-description-1.schema.json"
Text = Annotated[str, Meta(max_length=4096)]
Color = Annotated[str, Meta(max_length=64, description="A matplotlib colour, e.g. `#1f77b4`.")]


class _Base(Struct, forbid_unknown_fields=True, omit_defaults=True, kw_only=True):
    """Unknown keys are errors."""


class SampleDescription(_Base):
    """How one sample (or the observed data) is drawn."""

    label: Annotated[Text | UnsetType, Meta(description="Legend entry.")] = UNSET
    color: Annotated[Color | UnsetType, Meta(description="Fill or marker colour.")] = UNSET


class ChannelDescription(_Base):
    """One channel's plot: its binning, observable and stacking order."""

    edges: Annotated[
        Annotated[list[float], Meta(min_length=2)] | UnsetType,
        Meta(
            description="Bin edges, strictly increasing: the channel's number of bins plus "
            "one. Absent: the x axis is the bin index.",
        ),
    ] = UNSET
    name: Annotated[Text | UnsetType, Meta(description="Identifier of the observable.")] = UNSET
    label: Annotated[
        Text | UnsetType, Meta(description="Name of the observable, e.g. `Dijet mass`.")
    ] = UNSET
    symbol: Annotated[
        Text | UnsetType, Meta(description="Its symbol, mathtext allowed: `$m_{jj}$`.")
    ] = UNSET
    unit: Annotated[Text | UnsetType, Meta(description="Its unit, e.g. `GeV`.")] = UNSET
    title: Annotated[Text | UnsetType, Meta(description="Title of the plot.")] = UNSET
    log: Annotated[bool, Meta(description="Logarithmic y axis.")] = False
    order: Annotated[
        list[str] | UnsetType,
        Meta(description="Stacking order of this channel, bottom first; overrides `order`."),
    ] = UNSET
    samples: Annotated[
        dict[str, SampleDescription],
        Meta(description="Labels and colours in this channel; override `samples`."),
    ] = {}


class Description(_Base, kw_only=True):
    """Plot descriptions of a fit model's channels."""

    schema_uri: Annotated[
        str | UnsetType, Meta(description="URI of this JSON Schema, for editors.")
    ] = msgspec.field(default=UNSET, name="$schema")
    histfmt_description: Annotated[
        Literal["1.0"], Meta(description="Version of the plot-description format.")
    ]
    channels: Annotated[
        dict[str, ChannelDescription],
        Meta(description="One entry per channel of the model, keyed by the channel's name."),
    ]
    samples: Annotated[
        dict[str, SampleDescription],
        Meta(description="Labels and colours of samples, in every channel."),
    ] = {}
    order: Annotated[
        list[str],
        Meta(
            description="Stacking order, bottom first; samples not listed go on top in "
            "the model's order."
        ),
    ] = []
    data: Annotated[
        SampleDescription, Meta(description="Label and colour of the observed data.")
    ] = msgspec.field(default_factory=SampleDescription)


def generate() -> dict[str, Any]:
    """The JSON Schema of a plot description, generated from :class:`Description`."""
    (root,), definitions = msgspec.json.schema_components([Description])
    name = root["$ref"].rsplit("/", 1)[-1]
    body = definitions.pop(name)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://histfmt.org/schema/{DESCRIPTION_SCHEMA_FILENAME}",
        **body,
        "title": "histfmt plot description",
        "description": "What a fit model (a pyhf workspace) does not say about its plots: "
        "bin edges, the observable, sample labels, colours and stacking order, per channel.",
        "$defs": definitions,
    }


@functools.cache
def _validator() -> Any:
    import jsonschema

    text = resources.files("histfmt.resources").joinpath(DESCRIPTION_SCHEMA_FILENAME).read_text()
    return jsonschema.Draft202012Validator(json.loads(text))


def load_description(path: str | os.PathLike[str], /) -> Description:
    """Read and validate a plot description (JSON, or YAML by its suffix)."""
    from histfmt.io import read_file

    filename = str(path)
    return parse_description(read_file(path, filename=filename), filename)


def parse_description(raw: bytes, filename: str, /) -> Description:
    """Validate a plot description given as bytes (JSON, or YAML when ``filename`` ends
    in ``.yaml``/``.yml``); errors name ``filename`` and the JSON path."""
    try:
        if filename.lower().endswith((".yaml", ".yml")):
            import yaml

            found = yaml.safe_load(raw)
        else:
            found = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise HistfmtError(f"not valid JSON: {error}", filename=filename) from None
    except RecursionError:
        raise HistfmtError("nested too deeply", filename=filename) from None
    except Exception as error:  # yaml.YAMLError
        raise HistfmtError(f"not valid YAML: {error}", filename=filename) from None
    issues = sorted(
        _validator().iter_errors(found), key=lambda e: [str(p) for p in e.absolute_path]
    )
    if issues:
        from histfmt.errors import format_path

        raise ValidationError(
            [Issue(format_path(list(e.absolute_path)), _message(e)) for e in issues[:10]],
            filename=filename,
        )
    return msgspec.convert(found, Description)


def _message(error: Any) -> str:
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return "unknown key" + ("s " if len(extra) > 1 else " ") + ", ".join(map(repr, extra))
    message = str(error.message)
    return message if len(message) <= 200 else message[:197] + "..."


def main() -> None:
    """Rewrite ``schema/`` and the packaged copy from :class:`Description`."""
    from histfmt.schema import write_copies

    write_copies(
        json.dumps(generate(), indent=2, ensure_ascii=False) + "\n", DESCRIPTION_SCHEMA_FILENAME
    )


if __name__ == "__main__":
    main()

"""Generate the example documents in this directory.

Run ``python examples/generate.py`` to rewrite the ``*.json`` files beside this
script (or pass another output directory).  Everything is deterministic: each
document draws from its own fixed-seed numpy generator, and numbers are rounded
to a few significant digits, so the files only change when this code does.
``tests/test_examples.py`` regenerates them and compares the bytes.

The physics is toy-level but plausible: smoothly falling spectra, weighted
Monte Carlo whose statistical uncertainty is sqrt(sum w^2), and data that are a
Poisson fluctuation of the prediction.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

import histfmt
from histfmt.model import (
    Badge,
    Energy,
    Layout,
    Luminosity,
    Metadata,
    RatioAxis,
    Style,
    View,
    VLine,
    YAxis,
)

SCHEMA_URI = "https://histfmt.org/schema/histfmt-1.schema.json"
AUTHOR = "histfmt developers"
DATE = "2025-06-01"
PRODUCER = "histfmt examples"
LUMINOSITY = 140.0  # fb-1
LUMI_UNCERTAINTY = 0.0083  # relative, Run 2 combined
SIGNIFICANT = 5  # digits kept for non-integer numbers

# Colour-blind-safe palette (Petroff 2021, as adopted by CMS).
BLUE, ORANGE, RED, PURPLE, GREY, VIOLET = (
    "#5790fc",
    "#f89c20",
    "#e42536",
    "#964a8b",
    "#9c9ca1",
    "#7a21dd",
)

Array = np.ndarray[Any, np.dtype[np.float64]]
DATA_STYLE = Style(color="black", marker="o", markersize=4.0)


# -- helpers ---------------------------------------------------------------------------


def rounded(values: Any, digits: int = SIGNIFICANT) -> Array:
    """``values`` rounded to ``digits`` significant digits (stable, compact JSON)."""
    return np.array([float(f"{v:.{digits}g}") for v in np.asarray(values, dtype=np.float64)])


def fill(x: Array, w: Array, edges: Array, *, flow: bool = False) -> tuple[Array, Array]:
    """Sum of weights and sum of squared weights per bin, like a weighted histogram.

    Bins are half-open ``[low, high)``; with ``flow`` the result starts with the
    underflow and ends with the overflow bin.
    """
    index = np.searchsorted(edges, x, side="right")  # 0: underflow, len(edges): overflow
    sumw = np.bincount(index, weights=w, minlength=len(edges) + 1)
    sumw2 = np.bincount(index, weights=w * w, minlength=len(edges) + 1)
    if not flow:
        sumw, sumw2 = sumw[1:-1], sumw2[1:-1]
    return sumw, sumw2


def weights(
    rng: np.random.Generator, n: int, total: float, *, spread: float = 0.2, negative: float = 0.0
) -> Array:
    """Per-event MC weights summing to ``total``: log-normal spread, optionally a
    fraction of negative weights (as from NLO generators)."""
    raw = rng.lognormal(0.0, spread, n)
    if negative:
        raw = np.where(rng.random(n) < negative, -raw, raw)
    return raw * (total / raw.sum())


_ALPHA = 1.0 - math.erf(1.0 / math.sqrt(2.0))  # 1 - 68.27 %


def _poisson_cdf(k: int, mu: float) -> float:
    """P(X <= k) for X ~ Poisson(mu), summing the pmf over the bins that matter."""
    if k < 0:
        return 0.0
    if mu <= 0.0:
        return 1.0
    low = max(0, math.floor(min(k, mu) - 40.0 * math.sqrt(mu) - 50.0))
    j = np.arange(low, k + 1, dtype=np.float64)
    log_factorial = math.lgamma(low + 1) + np.concatenate(([0.0], np.cumsum(np.log(j[1:]))))
    return float(np.exp(j * math.log(mu) - mu - log_factorial).sum())


def _solve(target: float, k: int, low: float, high: float) -> float:
    """The mu in [low, high] with P(X <= k | mu) = target (decreasing in mu), by bisection."""
    for _ in range(200):
        middle = 0.5 * (low + high)
        if middle in (low, high):
            break
        if _poisson_cdf(k, middle) > target:
            low = middle
        else:
            high = middle
    return 0.5 * (low + high)


def garwood(counts: Any) -> tuple[Array, Array]:
    """Central 68.27 % Garwood (exact Poisson) interval of each count: (lower, upper).

    Equivalent to ``chi2.ppf(a/2, 2n)/2`` and ``chi2.ppf(1-a/2, 2n+2)/2`` (and so to
    ``hist.intervals.poisson_interval``), without needing scipy.
    """
    lower, upper = [], []
    for count in np.asarray(counts, dtype=np.float64):
        n = round(count)
        spread = 10.0 * math.sqrt(n + 1.0) + 10.0
        lower.append(0.0 if n == 0 else _solve(1.0 - _ALPHA / 2, n - 1, max(0.0, n - spread), n))
        upper.append(_solve(_ALPHA / 2, n, n, n + spread))
    return np.array(lower), np.array(upper)


def metadata(
    *,
    title: str,
    filename: str,
    description: str,
    selection: str,
    tags: list[str],
) -> Metadata:
    return Metadata(
        title=title,
        description=description,
        author=AUTHOR,
        date=DATE,
        filename=filename,
        producer=PRODUCER,
        event_selection=selection,
        tags=tags,
        luminosity=Luminosity(value=LUMINOSITY, unit="fb-1"),
        sqrt_s=Energy(value=13.0, unit="TeV"),
    )


def breit_wigner(rng: np.random.Generator, mass: float, width: float, n: int) -> Array:
    """Relativistic-enough Breit-Wigner line shape (Cauchy) of ``n`` masses."""
    return mass + 0.5 * width * rng.standard_cauchy(n)


# -- 1. dilepton mass, data vs MC --------------------------------------------------------


def mll_data_vs_mc() -> histfmt.Document:
    rng = np.random.default_rng(20250601)
    edges = np.linspace(50.0, 250.0, 41)
    n_z, n_tt, n_vv, n_fake = 400_000, 250_000, 100_000, 20_000

    # Z/gamma* -> ll: resolution-smeared Z line shape plus a falling gamma* continuum,
    # generated with m_ll > 40 GeV.
    peak = breit_wigner(rng, 91.1876, 2.4952, n_z) + rng.normal(0.0, 2.2, n_z)
    continuum = 40.0 * (1.0 + rng.pareto(3.0, n_z))
    m_z = np.where(rng.random(n_z) < 0.9, peak, continuum)
    m_z = m_z[m_z > 40.0]
    # ttbar -> ll: broad, peaking below 100 GeV
    m_tt = 20.0 + rng.gamma(2.6, 42.0, n_tt)
    # diboson: half with an on-shell Z, half non-resonant
    m_vv = np.where(
        rng.random(n_vv) < 0.5,
        breit_wigner(rng, 91.1876, 2.4952, n_vv) + rng.normal(0.0, 2.2, n_vv),
        20.0 + rng.gamma(2.5, 60.0, n_vv),
    )
    # fake/non-prompt leptons (data-driven, fake-factor weights): steeply falling
    m_fake = 20.0 + rng.exponential(45.0, n_fake)

    samples = [
        ("fakes", "Fake leptons", GREY, m_fake, weights(rng, n_fake, 1.4e4, spread=0.5)),
        ("diboson", "Diboson", PURPLE, m_vv, weights(rng, n_vv, 2.2e4)),
        ("ttbar", r"$t\bar{t}$", ORANGE, m_tt, weights(rng, n_tt, 3.6e5, spread=0.1)),
        (
            "zll",
            r"$Z/\gamma^{*}\to\ell\ell$",
            BLUE,
            m_z,
            weights(rng, len(m_z), 1.1e6, spread=0.3, negative=0.04),
        ),
    ]
    doc = histfmt.Document.new(
        edges,
        symbol=r"$m_{\ell\ell}$",
        unit="GeV",
        label="Dilepton invariant mass",
        name="m_ll",
        underflow=True,
        overflow=True,
    )
    doc.x.kind = "regular"
    total = np.zeros(len(edges) + 1)
    for name, label, _, m, w in samples:
        sumw, sumw2 = fill(m, w, edges, flow=True)
        total += sumw
        doc.add_yield(name, rounded(sumw), stat=rounded(np.sqrt(sumw2)), label=label)
    data = rng.poisson(total).astype(np.float64)
    doc.add_yield("data", data, stat=rounded(np.sqrt(data)), label="Data")

    mc = [name for name, *_ in samples]
    doc.add_stack(mc, error="stat", styles=[Style(color=color) for _, _, color, *_ in samples])
    doc.add_stack([("data", "Data")], type="points", error="stat", styles=[DATA_STYLE])
    doc.add_ratio("data", mc, error="stat")
    doc.ratio_axis = RatioAxis(label="Data / Pred.", min=0.9, max=1.1)
    doc.view = View(include_overflow=True)
    doc.layout = Layout(size=(6.0, 6.0), ratio_fraction=0.3)
    doc.badge = Badge(
        brand="ATLAS", label="Internal", subtext=r"$ee+\mu\mu$, $\geq 1$ $b$-tagged jet"
    )
    doc.metadata = metadata(
        title="Dilepton invariant mass",
        filename="mll_data_vs_mc",
        description="Same-flavour opposite-sign dilepton mass, data compared with the "
        "stacked prediction. The overflow bin is drawn in the last bin.",
        selection="2 same-flavour opposite-sign leptons (e or mu), pT > 27 GeV, "
        "|eta| < 2.5; >= 1 b-tagged jet (77 % WP)",
        tags=["dilepton", "Z", "ttbar", "data-vs-mc", "example"],
    )
    doc.metadata.extra = {"channel": "ee+mumu", "generator_cut": "m_ll > 40 GeV"}
    doc.schema_uri = SCHEMA_URI
    return doc


# -- 2. missing ET with systematic variations --------------------------------------------


def met_systematics() -> histfmt.Document:
    rng = np.random.default_rng(20250602)
    edges = np.array([0, 20, 40, 60, 80, 100, 120, 140, 160, 200, 250, 300, 400, 500, 600.0])

    def spectrum(n: int, soft: tuple[float, float], hard: tuple[float, float], f: float) -> Array:
        """A soft W-like MET spectrum plus a harder component (lost leptons, neutrinos)."""
        return np.where(rng.random(n) < f, rng.gamma(*hard, n), rng.gamma(*soft, n))

    # name, label, colour, MC events, soft and hard gamma (shape, scale), hard fraction,
    # total yield, normalisation (cross-section) uncertainty
    samples = [
        ("ttv", r"$t\bar{t}V$", PURPLE, 40_000, (2.0, 45.0), (2.0, 90.0), 0.4, 1.3e3, 0.12),
        ("singletop", "Single top", VIOLET, 60_000, (2.2, 30.0), (2.0, 70.0), 0.1, 1.8e4, 0.10),
        ("wjets", r"$W$+jets", GREY, 80_000, (2.0, 33.0), (2.0, 65.0), 0.1, 3.5e4, 0.15),
        ("ttbar", r"$t\bar{t}$", ORANGE, 150_000, (2.3, 28.0), (2.0, 75.0), 0.15, 2.4e5, 0.06),
    ]
    doc = histfmt.Document.new(
        edges,
        symbol=r"$E_{T}^{\mathrm{miss}}$",
        unit="GeV",
        label="Missing transverse momentum",
        name="met",
    )
    total = np.zeros(len(edges) - 1)
    for name, label, _, n_mc, soft, hard, f_hard, total_yield, norm in samples:
        met = spectrum(n_mc, soft, hard, f_hard)
        w = weights(rng, n_mc, total_yield, spread=0.15)
        nominal, sumw2 = fill(met, w, edges)
        total += nominal
        jes_up, _ = fill(met * 1.025, w, edges)
        jes_down, _ = fill(met * 0.975, w, edges)
        # JER: extra smearing, one-sided; the down side is its mirror image
        jer_up, _ = fill(np.abs(met + rng.normal(0.0, 0.06 * met + 4.0)), w, edges)
        doc.add_yield(
            name,
            rounded(nominal),
            stat=rounded(np.sqrt(sumw2)),
            syst=rounded(norm * nominal),
            variations={
                "JES": (rounded(jes_up), rounded(jes_down)),
                "JER": (rounded(jer_up), None),
                "lumi": (
                    rounded(nominal * (1 + LUMI_UNCERTAINTY)),
                    rounded(nominal * (1 - LUMI_UNCERTAINTY)),
                ),
            },
            label=label,
        )
    data = rng.poisson(total).astype(np.float64)
    doc.add_yield("data", data, stat=rounded(np.sqrt(data)), label="Data")

    mc = [name for name, *_ in samples]
    doc.add_stack(
        mc, error="stat+syst+env", styles=[Style(color=color) for _, _, color, *_ in samples]
    )
    doc.add_stack([("data", "Data")], type="points", error="stat", styles=[DATA_STYLE])
    doc.add_ratio("data", mc, error="stat")
    doc.ratio[0].den_error = "stat+syst+env"  # add_ratio() has no den_error argument
    doc.ratio_axis = RatioAxis(label="Data / Pred.", min=0.5, max=1.5)
    doc.y_axis = YAxis(log=True, min=0.5)
    doc.view = View(density_width=20.0)
    doc.v_lines = [
        VLine(
            x=250.0,
            label=r"SR: $E_{T}^{\mathrm{miss}} > 250$ GeV",
            style=Style(color=RED, linestyle="--", linewidth=1.5),
        )
    ]
    doc.badge = Badge(brand="ATLAS", label="Internal", subtext=r"1$\ell$, $\geq 4j$, $\geq 1b$")
    doc.metadata = metadata(
        title="Missing transverse momentum with systematic variations",
        filename="met_systematics",
        description="Every MC sample carries JES and luminosity up/down variations and a "
        "one-sided JER variation (its down side is the mirror image), plus a "
        "cross-section uncertainty in 'syst'. The band is stat+syst+envelope.",
        selection="1 lepton (e or mu), pT > 27 GeV; >= 4 jets, pT > 25 GeV; >= 1 b-tagged jet",
        tags=["met", "ttbar", "systematics", "variable-binning", "example"],
    )
    doc.schema_uri = SCHEMA_URI
    return doc


# -- 3. jet pT on a log scale ----------------------------------------------------------


def pt_logy() -> histfmt.Document:
    rng = np.random.default_rng(20250603)
    edges = np.array(
        [150, 175, 200, 250, 300, 350, 400, 500, 600, 700, 800, 1000, 1200, 1500, 2000, 2500, 3000],
        dtype=np.float64,
    )
    pt_min = 150.0

    def power_law(n: int, index: float, total: float, cutoff: float = 1e3) -> tuple[Array, Array]:
        """pT ~ pT^-index exp(-pT/cutoff) above pt_min (the exponential mimics the
        parton densities), generated harder (pT^-3) and reweighted, as sliced MC
        samples are, so that the tail keeps enough events."""
        pt = pt_min * (1.0 + rng.pareto(2.0, n))
        w = (pt / pt_min) ** (3.0 - index) * np.exp(-(pt - pt_min) / cutoff)
        w *= rng.lognormal(0.0, 0.1, n)
        return pt, w * (total / w.sum())

    backgrounds = [
        ("diboson", "Diboson", PURPLE, *power_law(50_000, 3.6, 2.5e4)),
        ("top", r"$t\bar{t}$ + single top", ORANGE, *power_law(80_000, 4.5, 1.2e5)),
        ("wlnu", r"$W(\to\ell\nu)$+jets", GREY, *power_law(200_000, 4.2, 7.0e5)),
        ("znunu", r"$Z(\to\nu\nu)$+jets", BLUE, *power_law(200_000, 4.0, 1.1e6)),
    ]
    doc = histfmt.Document.new(
        edges,
        symbol=r"$p_{T}^{j_1}$",
        unit="GeV",
        label="Leading-jet transverse momentum",
        name="jet1_pt",
    )
    doc.x.log = True
    total = np.zeros(len(edges) - 1)
    for name, label, _, pt, w in backgrounds:
        sumw, sumw2 = fill(pt, w, edges)
        total += sumw
        doc.add_yield(name, rounded(sumw), stat=rounded(np.sqrt(sumw2)), label=label)

    # signal: a harder spectrum
    pt_signal, w_signal = power_law(50_000, 2.6, 3.0e3, cutoff=1500.0)
    sumw, sumw2 = fill(pt_signal, w_signal, edges)
    signal_label = r"$Z'_{A}$ ($m_{Z'}$ = 2 TeV, $m_{\chi}$ = 1 GeV)"
    doc.add_yield("signal", rounded(sumw), stat=rounded(np.sqrt(sumw2)), label=signal_label)

    data = rng.poisson(total).astype(np.float64)
    low, high = garwood(data)
    doc.add_yield("data", data, stat=(rounded(high - data), rounded(data - low)), label="Data")

    bkg = [name for name, *_ in backgrounds]
    doc.add_stack(bkg, error="stat", styles=[Style(color=color) for _, _, color, *_ in backgrounds])
    doc.add_stack(
        ["signal"],
        type="step",
        error="none",
        styles=[Style(edgecolor=RED, linestyle="--", linewidth=2.0)],
    )
    doc.add_stack([("data", "Data")], type="points", error="stat", styles=[DATA_STYLE])
    doc.add_ratio("data", bkg, error="stat")
    doc.ratio[0].den_error = "stat"
    doc.ratio_axis = RatioAxis(label="Data / Pred.", min=0.5, max=1.5)
    doc.y_axis = YAxis(log=True, min=0.1)
    doc.view = View(density_width=10.0)
    doc.badge = Badge(
        brand="CMS", label="Preliminary", subtext=r"$E_{T}^{\mathrm{miss}} > 200$ GeV"
    )
    doc.metadata = metadata(
        title="Leading-jet pT, monojet selection",
        filename="pt_logy",
        description="Falling jet spectrum over five orders of magnitude, drawn as events "
        "per 10 GeV on a log scale; data carry asymmetric (Garwood) Poisson errors, "
        "and a signal is overlaid as a line.",
        selection="MET > 200 GeV; leading jet pT > 150 GeV, |eta| < 2.4; <= 4 jets; "
        "lepton and photon veto",
        tags=["monojet", "dark matter", "jets", "log-y", "example"],
    )
    doc.schema_uri = SCHEMA_URI
    return doc


# -- 4. region yields on a categorical axis --------------------------------------------


def cutflow_categorical() -> histfmt.Document:
    rng = np.random.default_rng(20250604)
    regions = ["SR-low", "SR-high", "CR-top", "CR-WZ", "VR"]
    # expected yields per region and MC events per unit of yield
    samples = [
        ("fakes", "Fake/non-prompt", GREY, [18.0, 3.0, 140.0, 95.0, 60.0], 2.0),
        ("ttv", r"$t\bar{t}V$", VIOLET, [6.0, 2.5, 95.0, 20.0, 18.0], 50.0),
        ("top", r"$t\bar{t}$, $tW$", ORANGE, [10.0, 1.5, 820.0, 35.0, 55.0], 3.0),
        ("zz", r"$ZZ$", PURPLE, [12.0, 2.0, 5.0, 160.0, 40.0], 40.0),
        ("wz", r"$WZ$", BLUE, [45.0, 8.0, 30.0, 1800.0, 210.0], 15.0),
    ]
    doc = histfmt.Document.new(categories=regions, label="Region", name="region")
    total = np.zeros(len(regions))
    for name, label, _, expected, density in samples:
        sumw, sumw2 = np.zeros(len(regions)), np.zeros(len(regions))
        for i, mean in enumerate(expected):
            n_mc = max(int(rng.poisson(mean * density)), 1)
            w = mean / (mean * density) * rng.lognormal(0.0, 0.25, n_mc) / math.exp(0.25**2 / 2)
            sumw[i], sumw2[i] = w.sum(), (w * w).sum()
        total += sumw
        doc.add_yield(name, rounded(sumw), stat=rounded(np.sqrt(sumw2)), label=label)
    data = rng.poisson(total).astype(np.float64)
    doc.add_yield("data", data, stat=rounded(np.sqrt(data)), label="Data")

    mc = [name for name, *_ in samples]
    doc.add_stack(mc, error="stat", styles=[Style(color=color) for _, _, color, *_ in samples])
    doc.add_stack([("data", "Data")], type="points", error="stat", styles=[DATA_STYLE])
    doc.add_ratio("data", mc, error="stat")
    doc.ratio_axis = RatioAxis(label="Data / Pred.", min=0.0, max=2.0)
    doc.y_axis = YAxis(label="Events", log=True, min=0.5)
    doc.badge = Badge(brand="ATLAS", label="Internal", subtext=r"$3\ell$, $Z$ candidate")
    doc.metadata = metadata(
        title="Yields in the signal, control and validation regions",
        filename="cutflow_categorical",
        description="Stacked background yields and data in each analysis region of a "
        "three-lepton search, on a categorical axis.",
        selection="3 leptons (e or mu), pT > 25/20/15 GeV, one same-flavour "
        "opposite-sign pair with |m_ll - m_Z| < 10 GeV; region cuts on MET, m_T, n_b",
        tags=["regions", "WZ", "three leptons", "categorical", "example"],
    )
    doc.schema_uri = SCHEMA_URI
    return doc


# -- 5. one call from hist -----------------------------------------------------------------


def from_hist() -> histfmt.Document:
    import hist

    rng = np.random.default_rng(20250605)
    axis = hist.axis.Regular(40, 0.0, 200.0, name="mt", label="$m_{T}$ [GeV]")

    def w_boson(n: int) -> Array:
        """Jacobian-peaked transverse mass of W -> l nu, with recoil smearing."""
        mass = breit_wigner(rng, 80.377, 2.085, n)
        mass = np.where(np.abs(mass - 80.377) < 30.0, mass, 80.377)
        mt = mass * np.sqrt(1.0 - rng.uniform(-1.0, 1.0, n) ** 2)
        return np.abs(mt * rng.normal(1.0, 0.05, n) + rng.normal(0.0, 6.0, n))

    truth = {  # name: (label, m_T generator, total yield, MC events)
        "zjets": (r"$Z$+jets", lambda n: rng.gamma(2.0, 28.0, n), 6.0e4, 100_000),
        "ttbar": (r"$t\bar{t}$", lambda n: rng.gamma(2.5, 35.0, n), 5.0e4, 100_000),
        "multijet": ("Multijet", lambda n: rng.exponential(18.0, n), 1.5e5, 50_000),
        "wjets": (r"$W\to\ell\nu$", w_boson, 9.0e5, 300_000),
    }
    mc = {}
    data = hist.Hist(axis, storage=hist.storage.Int64())
    for name, (label, generate, total, n_mc) in truth.items():
        w = weights(rng, n_mc, total, spread=0.2)
        w = np.round(w * 1024.0) / 1024.0  # dyadic weights: exact, order-free sums
        mc[name] = hist.Hist(axis, storage=hist.storage.Weight(), label=label)
        mc[name].fill(generate(n_mc), weight=w)
        data.fill(generate(int(rng.poisson(total))))

    doc = histfmt.from_hist(mc, data=data)  # the one call; the rest is decoration

    # from_hist records the hist / boost-histogram versions; drop them so the example
    # does not change with every library release
    for item in doc.yields.values():
        item.writer_info = {
            library: {k: v for k, v in info.items() if k != "version"}
            for library, info in item.writer_info.items()
            if any(k != "version" for k in info)
        }
    for layer, color in zip(doc.stacks[0].content, [PURPLE, ORANGE, GREY, BLUE], strict=True):
        layer.style = Style(color=color)
    doc.stacks[1].content[0].style = DATA_STYLE
    doc.ratio_axis = RatioAxis(label="Data / Pred.", min=0.8, max=1.2)
    doc.badge = Badge(brand="CMS", label="Preliminary", subtext=r"$W\to\ell\nu$ selection")
    doc.metadata = metadata(
        title="Transverse mass, built with histfmt.from_hist",
        filename="from_hist",
        description="hist.Hist objects (Weight storage for MC, Int64 for data) turned "
        "into a document with one call to histfmt.from_hist.",
        selection="1 lepton (e or mu), pT > 25 GeV; MET > 25 GeV",
        tags=["W", "transverse mass", "hist", "from_hist", "example"],
    )
    doc.schema_uri = SCHEMA_URI
    return doc


# -- main ------------------------------------------------------------------------------

DOCUMENTS = {
    "mll_data_vs_mc.json": mll_data_vs_mc,
    "met_systematics.json": met_systematics,
    "pt_logy.json": pt_logy,
    "cutflow_categorical.json": cutflow_categorical,
    "from_hist.json": from_hist,
}


def main(out_dir: Path) -> None:
    """Write every example document into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for filename, build in DOCUMENTS.items():
        histfmt.dump(build(), out_dir / filename, indent=2)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)

// The interactive chart of a plot page, drawn with uPlot (static/vendor/uplot) from the
// numbers of /plots/ID/chart.bin: the server's own numbers of the same view parameters
// as the image (rebin, logy, hide, ratio, logz), packed (histfmt.render.interactive.pack:
// a JSON header, then float64 arrays read here as Float64Array views, NaN for a missing
// number). Every change of view updates the address (history.replaceState), the page's
// form, its download links and image, then reloads the numbers. Without JavaScript the
// page shows the server image. Offline (a notebook's display,
// histfmt.render.interactive.chart_html) the packed numbers are in the page as base64,
// and the view changes in place: hover, zoom, log y, the ratio reference.
//
// Many bins: a path is drawn per pixel column (bins narrower than a pixel merged into
// their column's lowest and highest value, wider ones exactly), so drawing costs the
// width of the chart, not the number of bins; hover finds the bin under the mouse by
// binary search on the edges and shows its exact numbers (hover values are rounded as
// the numbers table is: static/measured.js).
"use strict";

(() => {
  // The viewer loads uPlot, measured.js and this script async (the page's first paint waits
  // for none of them); this one starts once the other two have run.
  const script = document.currentScript; // set while this runs, not in a later callback
  const ready = () => window.uPlot && window.hfNumbers;

  const start = () => {
    const here = script && script.closest("figure.histfmt-chart");
    const root = here ? here.querySelector(".hf-chart") : document.getElementById("hf-chart");
    if (!root) return;
    const offline = root.dataset.offline === "1";
    // after the page's first frame: the numbers are fetched at once, drawn after it
    const painted = new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    let xRange = null; // offline zoom: the x range shown
    const PALETTE = ["#3f90da", "#ffa90e", "#bd1f01", "#94a4a2", "#832db6", "#a96b59", "#e76300", "#b9ac70", "#717581", "#92dadd"];
    const BAND = "#555555";
    const VIEW_KEYS = ["logy", "rebin", "hide", "ratio", "style", "project", "logz", "slice"];
    const MAX_URL_EDGES = 2000; // a longer rebin list would not fit an address
    const params = new URLSearchParams(location.search);
    let data = null;
    let plots = [];
    let hovered = null;
    let pending = 0;

    const el = (tag, attrs = {}, text = "") => {
      const node = document.createElement(tag);
      for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
      if (text) node.textContent = text;
      return node;
    };
    const missing = (v) => v === null || v === undefined || Number.isNaN(v);
    const fmt = (v) => (missing(v) ? "–" : window.hfNumbers.number(v));
    const signed = (v) => (missing(v) ? "–" : (v >= 0 ? "+" : "−") + fmt(Math.abs(v)));
    const measured = (...args) => window.hfNumbers.measured(...args);
    // a legend's mathtext as plain text: $t\bar{t}$ -> tt̄
    const plain = (text) =>
      text
        .replace(/\\bar\{(\w)\}/g, "$1\u0304")
        .replace(/\\(gamma|mu|nu|tau|ell|pi|eta|phi)/g, (_, g) => ({ gamma: "γ", mu: "μ", nu: "ν", tau: "τ", ell: "ℓ", pi: "π", eta: "η", phi: "φ" })[g])
        .replace(/\\(mathrm|text|mathit)\{([^}]*)\}/g, "$2")
        .replace(/[${}\\]/g, "");

    // -- controls ---------------------------------------------------------------------------
    const bar = el("div", { class: "hf-controls", role: "toolbar", "aria-label": "Chart view" });
    const resetButton = el("button", { type: "button", id: "hf-reset" }, "Reset zoom");
    const logButton = el("button", { type: "button", id: "hf-logy", "aria-pressed": "false" }, "Log y");
    const mergeLabel = el("label", {}, "Merge bins ");
    const merge = el("select", { id: "hf-merge" });
    for (const k of [1, 2, 3, 4, 5, 10, 20, 50, 100]) merge.append(el("option", { value: String(k) }, k === 1 ? "none" : `by ${k}`));
    mergeLabel.append(merge);
    const refLabel = el("label", {}, "Ratio to ");
    const reference = el("select", { id: "hf-ref" });
    refLabel.append(reference);
    const legend = el("div", { class: "hf-legend", role: "group", "aria-label": "Samples (click to hide or show)" });
    const message = el("p", { class: "hint hf-message", role: "status" });
    bar.append(resetButton, logButton, mergeLabel, refLabel);
    const mainBox = el("div", { class: "hf-main", tabindex: "0", "aria-label": "Chart: arrow keys move between bins" });
    const ratioBox = el("div", { class: "hf-ratio" });
    const panel = el("div", { class: "hf-hover", "aria-live": "polite" });
    root.append(bar, legend, mainBox, ratioBox, message, panel);

    // -- the address, the form, the downloads ---------------------------------------------
    function viewQuery() {
      const query = new URLSearchParams();
      for (const key of VIEW_KEYS) for (const value of params.getAll(key)) query.append(key, value);
      return query;
    }

    function syncPage() {
      if (offline) return;
      history.replaceState(null, "", `${location.pathname}?${params}`);
      const query = viewQuery();
      for (const link of document.querySelectorAll("a[href*='/image.']")) {
        const url = new URL(link.href, location.href);
        for (const key of VIEW_KEYS) url.searchParams.delete(key);
        for (const [key, value] of query) url.searchParams.append(key, value);
        link.href = url.pathname + url.search;
      }
      const form = document.getElementById("view");
      if (form) {
        const rebin = form.querySelector("input[name=rebin]");
        if (rebin) rebin.value = params.get("rebin") || "";
        const logy = form.querySelector("select[name=logy]");
        if (logy) logy.value = params.get("logy") || "";
        for (const box of form.querySelectorAll("input[name=hide]")) box.checked = params.getAll("hide").includes(box.value);
        const [onto, start, stop] = (params.get("project") || "").split(":");
        const project = form.querySelector("select[name=project]");
        if (project) project.value = onto || "";
        const slice = form.querySelector("input[name=slice]");
        if (slice) slice.value = stop === undefined ? params.get("slice") || "" : `${start}:${stop}`;
      }
    }

    function change(mutate) {
      if (offline) return;
      mutate();
      syncPage();
      load();
    }

    // -- bins: zoom and merge are a rebin to a subset of the document's edges ----------------
    // the last index i with edges[i] <= value (0 below the first edge), by bisection
    function below(edges, value) {
      let lo = 0;
      let hi = edges.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (edges[mid] <= value) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    }

    // the index of the edge nearest to value
    function indexOf(edges, value) {
      const i = below(edges, value);
      return i + 1 < edges.length && Math.abs(edges[i + 1] - value) < Math.abs(edges[i] - value) ? i + 1 : i;
    }

    // the bin holding value, or null outside the edges
    function binAt(edges, value) {
      if (!(value >= edges[0] && value <= edges[edges.length - 1])) return null;
      return Math.min(below(edges, value), edges.length - 2);
    }

    function currentRange() {
      const base = data.base_edges;
      const edges = data.edges;
      const lo = indexOf(base, edges[0]);
      const hi = indexOf(base, edges[edges.length - 1]);
      const k = edges.length > 2 ? Math.max(1, indexOf(base, edges[1]) - lo) : Math.max(1, hi - lo);
      return { lo, hi, k };
    }

    function setBins(lo, hi, k) {
      const base = data.base_edges;
      if (lo === 0 && hi === base.length - 1 && k === 1) {
        params.delete("rebin");
        return true;
      }
      const chosen = [];
      for (let i = lo; i < hi; i += k) chosen.push(base[i]);
      chosen.push(base[hi]);
      if (chosen.length > MAX_URL_EDGES) {
        message.textContent = `That view has ${chosen.length - 1} bins: too many edges for an address. Zoom in or merge more bins.`;
        return false;
      }
      params.set("rebin", chosen.map((v) => Number(v.toPrecision(12))).join(","));
      return true;
    }

    resetButton.addEventListener("click", () => {
      if (offline) {
        xRange = null;
        draw();
        return;
      }
      const { k } = currentRange();
      change(() => setBins(0, data.base_edges.length - 1, k));
    });
    logButton.addEventListener("click", () => {
      if (offline && !data.two_d) {
        data.logy = !data.logy;
        draw();
        return;
      }
      change(() => (data.two_d ? params.set("logz", data.logz ? "0" : "1") : params.set("logy", data.logy ? "0" : "1")));
    });
    merge.addEventListener("change", () => {
      const { lo, hi } = currentRange();
      const k = Number(merge.value);
      if (setBins(lo, hi, k)) change(() => {});
    });
    reference.addEventListener("change", () => {
      if (reference.value) params.set("ratio_to", reference.value);
      else params.delete("ratio_to");
      syncPage();
      draw();
    });

    function toggle(names, hidden) {
      change(() => {
        const hide = params.getAll("hide").filter((name) => !names.includes(name));
        if (!hidden) hide.push(...names);
        params.delete("hide");
        for (const name of hide) params.append("hide", name);
      });
    }

    // -- the numbers drawn -------------------------------------------------------------------
    const samples = () => data.samples.filter((s) => !s.hidden);
    const dataSample = () => samples().find((s) => s.type === "points");
    let ratioCache = null; // the ratio series of the numbers and reference drawn

    const div = (a, b) => (b === 0 ? NaN : a / b); // NaN (missing) stays NaN

    function ratioSeries() {
      const to = params.get("ratio_to") || "";
      if (ratioCache && ratioCache.data === data && ratioCache.to === to) return ratioCache.series;
      let series = null;
      if (!to) {
        const item = data.ratio[0];
        if (item) series = { values: item.values, up: item.up, down: item.down, band_up: item.band_up, band_down: item.band_down, label: plain(data.ratio_label || item.label) };
      } else {
        const num = dataSample();
        let den = null;
        let denUp = null;
        let denDown = null;
        if (to === "total" && data.prediction) {
          den = data.prediction.top;
          denUp = data.prediction.top_up;
          denDown = data.prediction.top_down;
        } else {
          const sample = samples().find((s) => s.label === to);
          if (sample) {
            den = sample.values;
            denUp = sample.values.map((_, i) => Math.hypot(sample.stat_up[i], sample.syst_up[i]));
            denDown = sample.values.map((_, i) => Math.hypot(sample.stat_down[i], sample.syst_down[i]));
          }
        }
        if (num && den) {
          const n = den.length;
          const over = (a) => Float64Array.from({ length: n }, (_, i) => div(a[i], den[i]));
          series = {
            values: over(num.top),
            up: over(num.top_up),
            down: over(num.top_down),
            band_up: over(denUp),
            band_down: over(denDown),
            label: `${plain(num.label)} / ${to === "total" ? "Pred." : plain(to)}`,
          };
        }
      }
      ratioCache = { data, to, series };
      return series;
    }

    // -- drawing (canvas hooks: filled steps, step lines, points with bars, hatched bands) ---
    function hatch(ctx) {
      const tile = document.createElement("canvas");
      tile.width = tile.height = 8;
      const t = tile.getContext("2d");
      t.strokeStyle = BAND;
      t.lineWidth = 1;
      t.beginPath();
      t.moveTo(0, 8);
      t.lineTo(8, 0);
      t.moveTo(-2, 2);
      t.lineTo(2, -2);
      t.moveTo(6, 10);
      t.lineTo(10, 6);
      t.stroke();
      return ctx.createPattern(tile, "repeat");
    }

    // The drawn bins of one panel: the edges' pixel positions and the first and last bin
    // inside the plotting area (the others are clipped away and not drawn).
    function frame(u) {
      const edges = data.edges;
      const n = edges.length - 1;
      const xs = new Float64Array(n + 1);
      for (let i = 0; i <= n; i++) xs[i] = u.valToPos(edges[i], "x", true);
      const left = u.bbox.left;
      const right = left + u.bbox.width;
      let lo = 0;
      while (lo < n - 1 && xs[lo + 1] < left) lo++;
      let hi = n;
      while (hi > lo + 1 && xs[hi - 1] > right) hi--;
      const floor = u.valToPos(u.scales.y.min, "y", true);
      const zero = u.scales.y.distr === 3 ? floor : u.valToPos(0, "y", true);
      const ys = (values, lo2 = lo, hi2 = hi) => {
        const out = new Float64Array(n);
        for (let i = lo2; i < hi2; i++) {
          const v = values[i];
          out[i] = Number.isNaN(v) ? zero : u.valToPos(v, "y", true);
        }
        return out;
      };
      return { xs, lo, hi, floor, ys };
    }

    // The step outline of pixel heights ys over the bins lo..hi-1 as [x, y] pairs: a bin at
    // least a pixel wide as it is, narrower bins merged per pixel column into the highest
    // (upper) or lowest (lower) of them on screen.
    function outline(xs, ys, lo, hi, upper) {
      const out = [];
      let i = lo;
      while (i < hi) {
        const a = xs[i];
        let y = ys[i];
        let j = i + 1;
        if (xs[j] - a < 1) {
          const column = Math.floor(a);
          while (j < hi && xs[j + 1] - xs[j] < 1 && Math.floor(xs[j]) === column) {
            y = upper ? Math.min(y, ys[j]) : Math.max(y, ys[j]);
            j++;
          }
        }
        out.push(a, y, xs[j], y);
        i = j;
      }
      return out;
    }

    // A filled area between two outlines (lower: the pixel heights below, or none: the floor).
    function area(f, top, bottom) {
      const path = new Path2D();
      const up = outline(f.xs, top, f.lo, f.hi, true);
      path.moveTo(up[0], bottom ? bottom[f.lo] : f.floor);
      for (let k = 0; k < up.length; k += 2) path.lineTo(up[k], up[k + 1]);
      if (bottom) {
        const down = outline(f.xs, bottom, f.lo, f.hi, false);
        for (let k = down.length - 2; k >= 0; k -= 2) path.lineTo(down[k], down[k + 1]);
      } else {
        path.lineTo(f.xs[f.hi], f.floor);
      }
      path.closePath();
      return path;
    }

    // A step line; in a column of many bins a vertical stroke from its lowest to its highest.
    function line(f, ys) {
      const path = new Path2D();
      const { xs, lo, hi } = f;
      path.moveTo(xs[lo], ys[lo]);
      let i = lo;
      while (i < hi) {
        if (xs[i + 1] - xs[i] >= 1) {
          path.lineTo(xs[i], ys[i]);
          path.lineTo(xs[i + 1], ys[i]);
          i++;
          continue;
        }
        const column = Math.floor(xs[i]);
        let top = ys[i];
        let bottom = ys[i];
        let j = i + 1;
        while (j < hi && xs[j + 1] - xs[j] < 1 && Math.floor(xs[j]) === column) {
          top = Math.min(top, ys[j]);
          bottom = Math.max(bottom, ys[j]);
          j++;
        }
        path.lineTo(xs[i], ys[i]);
        path.lineTo(column + 0.5, top);
        path.lineTo(column + 0.5, bottom);
        path.lineTo(xs[j], ys[j - 1]);
        i = j;
      }
      return path;
    }

    const shifted = (center, by, sign) => Float64Array.from(center, (v, i) => v + sign * by[i]);

    // Points with error bars: one dot and bar per bin, or per pixel column of many bins a
    // bar over all their error bars and a thick stroke over all their dots.
    function points(u, f, ctx, values, up, down, color) {
      const bars = new Path2D();
      const dots = new Path2D();
      const runs = new Path2D();
      const { xs, lo, hi } = f;
      const y = (v) => u.valToPos(v, "y", true);
      let i = lo;
      while (i < hi) {
        let j = i + 1;
        if (xs[j] - xs[i] < 1) {
          const column = Math.floor(xs[i]);
          while (j < hi && xs[j + 1] - xs[j] < 1 && Math.floor(xs[j]) === column) j++;
        }
        let vLow = Infinity;
        let vHigh = -Infinity;
        let eLow = Infinity;
        let eHigh = -Infinity;
        for (let k = i; k < j; k++) {
          const v = values[k];
          if (Number.isNaN(v) || (v === 0 && !(up[k] > 0))) continue;
          vLow = Math.min(vLow, v);
          vHigh = Math.max(vHigh, v);
          eLow = Math.min(eLow, v - (down[k] || 0));
          eHigh = Math.max(eHigh, v + (up[k] || 0));
        }
        if (vLow <= vHigh) {
          const cx = j - i === 1 ? 0.5 * (xs[i] + xs[j]) : Math.floor(xs[i]) + 0.5;
          bars.moveTo(cx, y(eLow));
          bars.lineTo(cx, y(eHigh));
          if (vLow === vHigh) {
            const cy = y(vLow);
            dots.moveTo(cx + 2.5, cy);
            dots.arc(cx, cy, 2.5, 0, 2 * Math.PI);
          } else {
            runs.moveTo(cx, y(vLow));
            runs.lineTo(cx, y(vHigh));
          }
        }
        i = j;
      }
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.lineWidth = 1;
      ctx.stroke(bars);
      ctx.fill(dots);
      ctx.lineWidth = 5;
      ctx.lineCap = "round";
      ctx.stroke(runs);
      ctx.lineCap = "butt";
    }

    function band(ctx, f, center, up, down, pattern) {
      ctx.fillStyle = pattern;
      ctx.fill(area(f, f.ys(shifted(center, up, 1)), f.ys(shifted(center, down, -1))));
    }

    function clipped(u, paint) {
      const ctx = u.ctx;
      ctx.save();
      ctx.beginPath();
      ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
      ctx.clip();
      paint(ctx, frame(u));
      ctx.restore();
    }

    function drawMain(u) {
      clipped(u, (ctx, f) => {
        const pattern = hatch(ctx);
        let colorIndex = 0;
        const previous = {};
        for (const s of data.samples) {
          const color = s.color || PALETTE[colorIndex % PALETTE.length];
          if (s.type === "filled" || s.type === "step") colorIndex++;
          s.drawnColor = color;
          if (s.hidden) continue;
          const top = f.ys(s.top);
          if (s.type === "filled") {
            ctx.fillStyle = color;
            ctx.fill(area(f, top, previous[s.stack] || null));
          } else if (s.type === "step") {
            ctx.strokeStyle = color;
            ctx.lineWidth = 1.5;
            ctx.stroke(line(f, top));
          } else if (s.type === "band") {
            band(ctx, f, s.top, s.top_up, s.top_down, color + "59");
          }
          previous[s.stack] = top;
        }
        if (data.prediction) band(ctx, f, data.prediction.top, data.prediction.top_up, data.prediction.top_down, pattern);
        for (const s of samples()) if (s.type === "points") points(u, f, ctx, s.top, s.top_up, s.top_down, s.color || "black");
      });
    }

    const ratioCenter = () => (data.ratio_kind === "ratio" || params.get("ratio_to") ? 1 : 0);

    function drawRatio(u) {
      const series = ratioSeries();
      if (!series) return;
      clipped(u, (ctx, f) => {
        const center = ratioCenter();
        if (series.band_up) {
          const one = new Float64Array(data.edges.length - 1).fill(center);
          band(ctx, f, one, series.band_up, series.band_down, hatch(ctx));
        }
        const y = u.valToPos(center, "y", true);
        ctx.setLineDash([4, 3]);
        ctx.strokeStyle = "black";
        ctx.beginPath();
        ctx.moveTo(u.bbox.left, y);
        ctx.lineTo(u.bbox.left + u.bbox.width, y);
        ctx.stroke();
        ctx.setLineDash([]);
        points(u, f, ctx, series.values, series.up, series.down, "black");
      });
    }

    // -- hover: every number of one bin ---------------------------------------------------------
    // data-value holds the exact number (what tests compare); the text is rounded to its
    // uncertainties as in the numbers table.
    function row(table, name, value, text) {
      const tr = el("tr", { "data-name": name, "data-value": missing(value) ? "" : String(value) });
      tr.append(el("th", { scope: "row" }, plain(name)), el("td", {}, text));
      table.append(tr);
    }

    function rounded(value, ...errors) {
      const [v, spreads] = measured(value, ...errors.map(([up, down]) => [up, down]));
      const names = errors.map(([, , name]) => name);
      return [v, ...spreads.map((s, k) => (s ? `${s}${names[k] ? " " + names[k] : ""}` : ""))].filter(Boolean).join(" ");
    }

    function showBin(i, again = false) {
      if (i === null || i === undefined || !data || i < 0 || i >= data.edges.length - 1) return;
      if (i === hovered && !again && panel.firstChild) return; // both panels' cursors report it
      hovered = i;
      const head = el("p", { class: "hf-bin", "data-bin": String(i) }, `bin ${i}: [${fmt(data.edges[i])}, ${fmt(data.edges[i + 1])})${data.tick_labels ? " " + data.tick_labels[i] : ""}`);
      const table = el("table", { class: "numbers hf-numbers" });
      for (const s of samples()) {
        row(table, s.label, s.values[i], rounded(s.values[i], [s.stat_up[i], s.stat_down[i], "stat"], [s.syst_up[i], s.syst_down[i], "syst"]));
        for (const key of ["stat_up", "stat_down", "syst_up", "syst_down"]) {
          table.append(el("tr", { hidden: "", "data-name": `${s.label}:${key}`, "data-value": String(s[key][i]) }));
        }
        for (const [source, shift] of Object.entries(s.variations)) {
          const tr = el("tr", { class: "hf-variation", "data-name": `${s.label}:${source}`, "data-value": `${shift.up[i]},${shift.down[i]}` });
          tr.append(el("th", { scope: "row" }, `  ${source}`), el("td", {}, `${signed(shift.up[i])} / ${signed(shift.down[i])}`));
          table.append(tr);
        }
      }
      const p = data.prediction;
      if (p) row(table, "total prediction", p.top[i], rounded(p.top[i], [p.top_up[i], p.top_down[i]]));
      const d = dataSample();
      if (d) row(table, "data", d.top[i], rounded(d.top[i], [d.top_up[i], d.top_down[i]]));
      const r = ratioSeries();
      if (r) row(table, `ratio (${r.label})`, r.values[i], rounded(r.values[i], [r.up[i], r.down[i]]));
      panel.replaceChildren(head, table);
    }

    // -- building the plots ----------------------------------------------------------------------
    function legendButtons() {
      legend.replaceChildren();
      let colorIndex = 0;
      for (const s of data.samples) {
        const color = s.color || (s.type === "points" ? "black" : PALETTE[colorIndex % PALETTE.length]);
        if (s.type === "filled" || s.type === "step") colorIndex++;
        const button = el("button", { type: "button", class: "hf-entry", "aria-pressed": String(!s.hidden), "data-label": s.label });
        const swatch = el("span", { class: "hf-swatch", "aria-hidden": "true" });
        swatch.style.background = color;
        button.append(swatch, document.createTextNode(plain(s.label)));
        if (offline) button.disabled = true;
        else button.addEventListener("click", () => toggle(s.names, s.hidden));
        legend.append(button);
      }
    }

    function references() {
      const chosen = params.get("ratio_to") || "";
      reference.replaceChildren(el("option", { value: "" }, data.ratio.length ? "as in the document" : "none"));
      if (dataSample()) {
        if (data.prediction) reference.append(el("option", { value: "total" }, "total prediction"));
        for (const s of samples()) if (s.type !== "points") reference.append(el("option", { value: s.label }, plain(s.label)));
      }
      reference.value = chosen;
      if (reference.value !== chosen) reference.value = "";
    }

    // the y range of every drawn sample with its band (computed once per set of numbers)
    let extent = null;
    function yExtent() {
      if (extent && extent.data === data) return extent;
      let top = 0;
      let bottom = Infinity;
      for (const s of samples()) {
        const values = s.top;
        const up = s.top_up;
        for (let i = 0; i < values.length; i++) {
          const v = values[i];
          if (Number.isNaN(v)) continue;
          const t = v + up[i];
          if (t > top) top = t;
          if (v > 0 && v < bottom) bottom = v;
        }
      }
      extent = { data, top, bottom };
      return extent;
    }

    function yRange() {
      let { top, bottom } = yExtent();
      if (data.logy) {
        bottom = bottom === Infinity ? 0.1 : bottom / 2;
        return [bottom, (top || 1) * Math.pow(top / bottom || 10, 0.4)];
      }
      return [0, (top || 1) * 1.3];
    }

    function draw() {
      for (const p of plots) p.destroy();
      plots = [];
      // a map drawn before (then a click on a cell: its projection) leaves only Log z
      bar.replaceChildren(resetButton, logButton, mergeLabel, refLabel);
      logButton.textContent = "Log y";
      logButton.setAttribute("id", "hf-logy");
      mainBox.replaceChildren();
      ratioBox.replaceChildren();
      panel.replaceChildren(); // a map's cell; a hovered bin is shown again below
      const width = Math.max(280, mainBox.clientWidth || root.clientWidth);
      const edges = data.edges;
      const n = edges.length - 1;
      // uPlot's own series: two points at the ends (the drawing is the hooks'), so that its
      // data costs nothing at 10^5 bins
      const x0 = edges[0];
      const x1 = edges[n];
      const frameData = [[x0, x1], [null, null]];
      const ratio = ratioSeries();
      const common = {
        width,
        cursor: { sync: { key: "hf" }, drag: { x: true, y: false, setScale: false }, points: { show: false } },
        legend: { show: false },
        scales: { x: { time: false, range: () => xRange || [x0, x1] } },
        select: { show: true },
      };
      const hover = (u) => {
        if (u.cursor.left === undefined || u.cursor.left < 0) return;
        showBin(binAt(edges, u.posToVal(u.cursor.left, "x")));
      };
      const ticks = data.tick_labels ? { values: (u, splits) => splits.map((v) => data.tick_labels[Math.floor(v - x0)] ?? "") } : {};
      const main = new uPlot(
        {
          ...common,
          height: Math.max(240, Math.round(width * (ratio ? 0.5 : 0.62))),
          scales: { ...common.scales, y: { distr: data.logy ? 3 : 1, range: yRange } },
          axes: [{ ...ticks, size: ratio ? 20 : 40, label: ratio ? "" : data.x_label }, { label: data.y_label, size: 60 }],
          series: [{}, { paths: () => null, points: { show: false } }],
          hooks: { draw: [drawMain], setCursor: [hover], setSelect: [zoomed] },
        },
        frameData,
        mainBox,
      );
      plots.push(main);
      if (ratio) {
        let spread = 0.2;
        const center = ratioCenter();
        for (let i = 0; i < n; i++) {
          const v = ratio.values[i];
          if (!Number.isFinite(v)) continue;
          const low = Math.abs(v - (ratio.down[i] || 0) - center);
          const high = Math.abs(v + (ratio.up[i] || 0) - center);
          if (Number.isFinite(low)) spread = Math.max(spread, low);
          if (Number.isFinite(high)) spread = Math.max(spread, high);
        }
        spread = Math.min(2, spread);
        const r = new uPlot(
          {
            ...common,
            height: Math.max(110, Math.round(width * 0.2)),
            scales: { ...common.scales, y: { range: () => [center - spread * 1.1, center + spread * 1.1] } },
            axes: [{ ...ticks, label: data.x_label }, { label: ratio.label, size: 60 }],
            series: [{}, { paths: () => null, points: { show: false } }],
            hooks: { draw: [drawRatio], setCursor: [hover], setSelect: [zoomed] },
          },
          frameData,
          ratioBox,
        );
        ratioBox.dataset.label = ratio.label; // the y axis label, drawn on the canvas
        plots.push(r);
      }
      logButton.setAttribute("aria-pressed", String(Boolean(data.logy)));
      legendButtons();
      references();
      showBin(hovered !== null && hovered < n ? hovered : null, true);
      root.dataset.ready = String(Date.now());
    }

    function zoomed(u) {
      const sel = u.select;
      if (sel.width < 5) return;
      const lo = u.posToVal(sel.left, "x");
      const hi = u.posToVal(sel.left + sel.width, "x");
      u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
      const base = data.base_edges;
      const a = indexOf(base, lo);
      let b = indexOf(base, hi);
      if (b <= a) b = Math.min(a + 1, base.length - 1);
      if (offline) {
        xRange = [base[a], base[b]];
        draw();
        return;
      }
      const { k } = currentRange();
      if (setBins(a, b, k)) change(() => {});
    }

    mainBox.addEventListener("keydown", (event) => {
      if (!data || !plots.length) return;
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      event.preventDefault();
      const n = data.edges.length - 1;
      const i = Math.min(n - 1, Math.max(0, (hovered ?? -1) + step));
      const u = plots[0];
      u.setCursor({ left: u.valToPos(0.5 * (data.edges[i] + data.edges[i + 1]), "x"), top: u.bbox.height / (2 * devicePixelRatio) });
      showBin(i);
    });

    // -- 2-D maps: cells on a canvas, hover a cell, log z --------------------------------------
    function drawMap() {
      for (const p of plots) p.destroy();
      plots = [];
      bar.replaceChildren(logButton);
      logButton.textContent = "Log z";
      logButton.setAttribute("id", "hf-logz");
      logButton.setAttribute("aria-pressed", String(Boolean(data.logz)));
      legend.replaceChildren();
      ratioBox.replaceChildren();
      const map = data.maps[0];
      const width = Math.max(280, mainBox.clientWidth || root.clientWidth);
      const canvas = el("canvas", { width: String(width), height: String(Math.round(width * 0.7)), tabindex: "0" });
      mainBox.replaceChildren(canvas);
      root.dataset.ready = String(Date.now());
      if (!map) return;
      const ctx = canvas.getContext("2d");
      const xe = data.x_edges;
      const ye = data.y_edges;
      const pad = { left: 50, right: 10, top: 10, bottom: 30 };
      const W = canvas.width - pad.left - pad.right;
      const H = canvas.height - pad.top - pad.bottom;
      const px = (v) => pad.left + ((v - xe[0]) / (xe[xe.length - 1] - xe[0])) * W;
      const py = (v) => pad.top + H - ((v - ye[0]) / (ye[ye.length - 1] - ye[0])) * H;
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of map.cells.flatValues || []) {
        if (Number.isNaN(v) || (data.logz && v <= 0)) continue;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      const scale = (v) => (data.logz ? (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo) || 1) : (v - lo) / (hi - lo || 1));
      for (let i = 0; i < map.cells.length; i++) {
        for (let j = 0; j < map.cells[i].length; j++) {
          const v = map.cells[i][j];
          if (Number.isNaN(v) || (data.logz && v <= 0)) continue;
          const t = Math.min(1, Math.max(0, scale(v)));
          ctx.fillStyle = `hsl(${260 - 200 * t}, 70%, ${25 + 45 * t}%)`;
          ctx.fillRect(px(xe[i]), py(ye[j + 1]), px(xe[i + 1]) - px(xe[i]) + 0.5, py(ye[j]) - py(ye[j + 1]) + 0.5);
        }
      }
      ctx.strokeStyle = "black";
      ctx.strokeRect(pad.left, pad.top, W, H);
      ctx.fillStyle = "black";
      ctx.fillText(`${data.x_label}: ${fmt(xe[0])} – ${fmt(xe[xe.length - 1])}`, pad.left, canvas.height - 8);
      const cellAt = (event) => {
        const rect = canvas.getBoundingClientRect();
        const x = ((event.clientX - rect.left) * canvas.width) / rect.width;
        const y = ((event.clientY - rect.top) * canvas.height) / rect.height;
        const i = binAt(xe, xe[0] + ((x - pad.left) / W) * (xe[xe.length - 1] - xe[0]));
        const j = binAt(ye, ye[0] + ((pad.top + H - y) / H) * (ye[ye.length - 1] - ye[0]));
        return i === null || j === null ? null : [i, j];
      };
      // a click shows the cell's row (its y bin) projected onto x; with Shift its column onto y
      canvas.title = offline ? "" : "Click: this row of cells projected onto x; Shift+click: this column onto y";
      canvas.addEventListener("click", (event) => {
        const cell = cellAt(event);
        if (cell === null) return;
        const [i, j] = cell;
        change(() => {
          params.set("project", event.shiftKey ? `y:${i}:${i + 1}` : `x:${j}:${j + 1}`);
          params.delete("slice");
          params.delete("logz");
        });
      });
      canvas.addEventListener("mousemove", (event) => {
        const cell = cellAt(event);
        if (cell === null) return;
        const [i, j] = cell;
        panel.replaceChildren(el("p", { class: "hf-bin", "data-bin": `${i},${j}` }, `cell (${i}, ${j}): ${data.x_label} [${fmt(xe[i])}, ${fmt(xe[i + 1])}), ${data.y_label} [${fmt(ye[j])}, ${fmt(ye[j + 1])})`));
        const table = el("table", { class: "numbers hf-numbers" });
        row(table, map.label || "value", map.cells[i][j], rounded(map.cells[i][j], [map.stat[i][j], map.stat[i][j]]));
        panel.append(table);
      });
      root.dataset.ready = String(Date.now());
    }

    // -- the numbers: unpacking (histfmt.render.interactive.pack) -----------------------------
    const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

    function unpack(buffer) {
      const bytes = new Uint8Array(buffer);
      if (bytes.length < 8 || String.fromCharCode(...bytes.subarray(0, 4)) !== "HFC1") throw new Error("not a packed chart");
      const length = new DataView(buffer).getUint32(4, true);
      const start = 8 + length;
      const header = new TextDecoder().decode(bytes.subarray(8, start));
      if (!LITTLE) {
        // a big-endian machine: turn every float64 around once
        for (let k = start; k + 8 <= bytes.length; k += 8) bytes.subarray(k, k + 8).reverse();
      }
      return JSON.parse(header, (key, value) => {
        if (!value || typeof value !== "object" || !Array.isArray(value.f8) || !Array.isArray(value.shape) || Object.keys(value).length !== 2) return value;
        const [first, count] = value.f8;
        const flat = new Float64Array(buffer, start + 8 * first, count);
        if (value.shape.length !== 2) return flat;
        const [rows, columns] = value.shape;
        const grid = Array.from({ length: rows }, (_, i) => flat.subarray(i * columns, (i + 1) * columns));
        grid.flatValues = flat;
        return grid;
      });
    }

    function fromBase64(text) {
      if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text.trim()).buffer;
      const binary = atob(text.trim());
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      return bytes.buffer;
    }

    // The server leaves out a down side equal to the up side, and zero sides, and the running
    // total of every layer but the last: filled in here (typed arrays, NaN where missing).
    function complete(numbers) {
      if (numbers.two_d) return numbers;
      const zeros = new Float64Array(numbers.edges.length - 1);
      const running = {};
      for (const s of numbers.samples) {
        if (s.hidden) continue;
        const below = running[s.stack];
        if (!s.top) {
          s.top = below
            ? Float64Array.from(s.values, (v, i) => (Number.isNaN(v) ? below[i] : v + (Number.isNaN(below[i]) ? 0 : below[i])))
            : s.values;
        }
        running[s.stack] = s.top;
      }
      for (const s of [...numbers.samples, ...(numbers.prediction ? [numbers.prediction] : [])]) {
        if (s.hidden) continue;
        for (const name of ["stat", "syst", "top"]) {
          s[`${name}_up`] = s[`${name}_up`] || zeros;
          s[`${name}_down`] = s[`${name}_down`] || s[`${name}_up`];
        }
      }
      return numbers;
    }

    function show(numbers) {
      data = complete(numbers);
      root.hidden = false;
      const figure = root.closest("figure");
      figure?.classList.add("hf-interactive");
      if (offline) {
        for (const image of figure?.querySelectorAll("img.hf-fallback") || []) image.hidden = true; // drawn once
      }
      if (data.two_d) {
        drawMap();
      } else {
        merge.value = String(currentRange().k);
        if (merge.value === "") merge.value = "1";
        draw();
      }
    }

    // -- loading ------------------------------------------------------------------------------
    async function load() {
      if (offline) {
        const numbers = (here || document).querySelector(".hf-chart-data");
        mergeLabel.hidden = true;
        show(unpack(fromBase64(numbers.textContent)));
        return;
      }
      const ticket = ++pending;
      message.textContent = "";
      const query = viewQuery();
      query.set("version", params.get("version") || root.dataset.version || "");
      if (!query.get("version")) query.delete("version");
      let response;
      let body;
      try {
        response = await fetch(`${root.dataset.src}?${query}`, { headers: { Accept: "application/octet-stream, application/json" } });
        body = await response.arrayBuffer();
      } catch (error) {
        message.textContent = "The chart's numbers could not be loaded; the image shows the plot.";
        return;
      }
      if (ticket !== pending) return;
      if (!response.ok) {
        let problem = "";
        try {
          problem = JSON.parse(new TextDecoder().decode(body)).error || "";
        } catch (error) {
          problem = "";
        }
        message.textContent = problem || `The chart's numbers could not be loaded (HTTP ${response.status}).`;
        return;
      }
      await painted; // the page's first paint waits for nothing of the chart
      if (ticket !== pending) return;
      try {
        show(unpack(body));
      } catch (error) {
        message.textContent = "The chart's numbers could not be read; the image shows the plot.";
      }
    }

    load();
  };

  if (ready()) {
    start();
  } else {
    const wait = () => {
      if (!ready()) return;
      document.removeEventListener("load", wait, true);
      start();
    };
    document.addEventListener("load", wait, true); // a script's load event, caught on the way down
  }
})();

// The interactive chart of a plot page, drawn with uPlot (static/vendor/uplot) from the
// numbers of /plots/ID/chart.json: the server's own numbers of the same view parameters
// as the image (rebin, logy, hide, ratio, logz). Every change of view updates the address
// (history.replaceState), the page's form, its download links and image, then reloads the
// numbers. Without JavaScript the page shows the server image. Offline (a notebook's
// display, histfmt.render.interactive.chart_html) the numbers are in the page, and the
// view changes in place: hover, zoom, log y, the ratio reference.
"use strict";

(() => {
  const here = document.currentScript && document.currentScript.closest("figure.histfmt-chart");
  const root = here ? here.querySelector(".hf-chart") : document.getElementById("hf-chart");
  if (!root || !window.uPlot) return;
  const offline = root.dataset.offline === "1";
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
  const fmt = (v) => (v === null || v === undefined ? "–" : Number(v.toPrecision(6)).toString());
  const signed = (v) => (v === null || v === undefined ? "–" : (v >= 0 ? "+" : "−") + fmt(Math.abs(v)));
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
    }
  }

  function change(mutate) {
    if (offline) return;
    mutate();
    syncPage();
    load();
  }

  // -- bins: zoom and merge are a rebin to a subset of the document's edges ----------------
  function indexOf(edges, value) {
    let best = 0;
    for (let i = 1; i < edges.length; i++) if (Math.abs(edges[i] - value) < Math.abs(edges[best] - value)) best = i;
    return best;
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

  function ratioSeries() {
    const to = params.get("ratio_to") || "";
    if (!to) {
      const item = data.ratio[0];
      return item ? { values: item.values, up: item.up, down: item.down, band_up: item.band_up, band_down: item.band_down, label: item.label } : null;
    }
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
        denUp = sample.values.map((_, i) => Math.hypot(sample.stat_up[i] || 0, sample.syst_up[i] || 0));
        denDown = sample.values.map((_, i) => Math.hypot(sample.stat_down[i] || 0, sample.syst_down[i] || 0));
      }
    }
    if (!num || !den) return null;
    const div = (a, b) => (a === null || b === null || b === 0 ? null : a / b);
    return {
      values: num.top.map((v, i) => div(v, den[i])),
      up: num.top_up.map((v, i) => div(v, den[i])),
      down: num.top_down.map((v, i) => div(v, den[i])),
      band_up: denUp.map((v, i) => div(v, den[i])),
      band_down: denDown.map((v, i) => div(v, den[i])),
      label: `${num.label} / ${to === "total" ? "total" : to}`,
    };
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

  function stepPath(u, edges, top, bottom) {
    const path = new Path2D();
    const x = (v) => u.valToPos(v, "x", true);
    const y = (v) => u.valToPos(v, "y", true);
    const n = top.length;
    path.moveTo(x(edges[0]), y(bottom ? bottom[0] ?? 0 : floorOf(u)));
    for (let i = 0; i < n; i++) {
      const v = top[i] ?? 0;
      path.lineTo(x(edges[i]), y(v));
      path.lineTo(x(edges[i + 1]), y(v));
    }
    for (let i = n - 1; i >= 0; i--) {
      const b = bottom ? bottom[i] ?? 0 : floorOf(u);
      path.lineTo(x(edges[i + 1]), y(b));
      path.lineTo(x(edges[i]), y(b));
    }
    path.closePath();
    return path;
  }

  function stepLine(u, edges, top) {
    const path = new Path2D();
    const x = (v) => u.valToPos(v, "x", true);
    const y = (v) => u.valToPos(v, "y", true);
    path.moveTo(x(edges[0]), y(top[0] ?? 0));
    for (let i = 0; i < top.length; i++) {
      path.lineTo(x(edges[i]), y(top[i] ?? 0));
      path.lineTo(x(edges[i + 1]), y(top[i] ?? 0));
    }
    return path;
  }

  const floorOf = (u) => u.scales.y.min;

  function points(u, ctx, edges, values, up, down, color) {
    const bars = new Path2D();
    const dots = new Path2D();
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || (v === 0 && !(up[i] > 0))) continue;
      const cx = u.valToPos(0.5 * (edges[i] + edges[i + 1]), "x", true);
      bars.moveTo(cx, u.valToPos(v - (down[i] || 0), "y", true));
      bars.lineTo(cx, u.valToPos(v + (up[i] || 0), "y", true));
      const cy = u.valToPos(v, "y", true);
      dots.moveTo(cx + 2.5, cy);
      dots.arc(cx, cy, 2.5, 0, 2 * Math.PI);
    }
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 1;
    ctx.stroke(bars);
    ctx.fill(dots);
  }

  function band(ctx, u, edges, center, up, down, pattern) {
    const top = center.map((v, i) => (v === null ? null : v + (up[i] || 0)));
    const bottom = center.map((v, i) => (v === null ? null : v - (down[i] || 0)));
    ctx.fillStyle = pattern;
    ctx.fill(stepPath(u, edges, top, bottom));
  }

  function drawMain(u) {
    const ctx = u.ctx;
    const edges = data.edges;
    ctx.save();
    ctx.beginPath();
    ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
    ctx.clip();
    const pattern = hatch(ctx);
    let colorIndex = 0;
    const previous = {};
    for (const s of data.samples) {
      const color = s.color || PALETTE[colorIndex % PALETTE.length];
      if (s.type === "filled" || s.type === "step") colorIndex++;
      s.drawnColor = color;
      if (s.hidden) continue;
      if (s.type === "filled") {
        ctx.fillStyle = color;
        ctx.fill(stepPath(u, edges, s.top, previous[s.stack] || null));
      } else if (s.type === "step") {
        ctx.strokeStyle = color;
        ctx.lineWidth = 1.5;
        ctx.stroke(stepLine(u, edges, s.top));
      } else if (s.type === "band") {
        band(ctx, u, edges, s.top, s.top_up, s.top_down, color + "59");
      }
      previous[s.stack] = s.top;
    }
    if (data.prediction) band(ctx, u, edges, data.prediction.top, data.prediction.top_up, data.prediction.top_down, pattern);
    for (const s of samples()) if (s.type === "points") points(u, ctx, edges, s.top, s.top_up, s.top_down, s.color || "black");
    ctx.restore();
  }

  function drawRatio(u) {
    const series = ratioSeries();
    if (!series) return;
    const ctx = u.ctx;
    ctx.save();
    ctx.beginPath();
    ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
    ctx.clip();
    const one = data.edges.slice(1).map(() => (data.ratio_kind === "ratio" || params.get("ratio_to") ? 1 : 0));
    if (series.band_up) band(ctx, u, data.edges, one, series.band_up, series.band_down, hatch(ctx));
    const y = u.valToPos(one[0], "y", true);
    ctx.setLineDash([4, 3]);
    ctx.strokeStyle = "black";
    ctx.beginPath();
    ctx.moveTo(u.bbox.left, y);
    ctx.lineTo(u.bbox.left + u.bbox.width, y);
    ctx.stroke();
    ctx.setLineDash([]);
    points(u, ctx, data.edges, series.values, series.up, series.down, "black");
    ctx.restore();
  }

  // -- hover: every number of one bin ---------------------------------------------------------
  function row(table, name, value, note = "") {
    const tr = el("tr", { "data-name": name, "data-value": value === null ? "" : String(value) });
    tr.append(el("th", { scope: "row" }, plain(name)), el("td", {}, fmt(value) + note));
    table.append(tr);
  }

  function showBin(i) {
    if (i === null || i === undefined || !data || i < 0 || i >= data.edges.length - 1) return;
    hovered = i;
    panel.replaceChildren();
    const head = el("p", { class: "hf-bin", "data-bin": String(i) }, `bin ${i}: [${fmt(data.edges[i])}, ${fmt(data.edges[i + 1])})${data.tick_labels ? " " + data.tick_labels[i] : ""}`);
    const table = el("table", { class: "numbers hf-numbers" });
    for (const s of samples()) {
      const stat = ` ±stat +${fmt(s.stat_up[i])}/−${fmt(s.stat_down[i])}`;
      const syst = ` ±syst +${fmt(s.syst_up[i])}/−${fmt(s.syst_down[i])}`;
      row(table, s.label, s.values[i], stat + syst);
      for (const key of ["stat_up", "stat_down", "syst_up", "syst_down"]) {
        const hidden = el("tr", { hidden: "", "data-name": `${s.label}:${key}`, "data-value": String(s[key][i]) });
        table.append(hidden);
      }
      for (const [source, shift] of Object.entries(s.variations)) {
        const tr = el("tr", { class: "hf-variation", "data-name": `${s.label}:${source}`, "data-value": `${shift.up[i]},${shift.down[i]}` });
        tr.append(el("th", { scope: "row" }, `  ${source}`), el("td", {}, `${signed(shift.up[i])} / ${signed(shift.down[i])}`));
        table.append(tr);
      }
    }
    if (data.prediction) row(table, "total prediction", data.prediction.top[i], ` ±${fmt(data.prediction.top_up[i])}`);
    const d = dataSample();
    if (d) row(table, "data", d.top[i], ` +${fmt(d.top_up[i])}/−${fmt(d.top_down[i])}`);
    const r = ratioSeries();
    if (r) row(table, `ratio (${r.label})`, r.values[i], ` +${fmt(r.up[i])}/−${fmt(r.down[i])}`);
    panel.append(head, table);
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

  function yRange(u, lo, hi) {
    let top = 0;
    let bottom = Infinity;
    for (const s of samples()) {
      for (let i = 0; i < s.top.length; i++) {
        const v = s.top[i];
        if (v === null) continue;
        top = Math.max(top, v + (s.top_up[i] || 0));
        if (v > 0) bottom = Math.min(bottom, v);
      }
    }
    if (data.logy) {
      bottom = bottom === Infinity ? 0.1 : bottom / 2;
      return [bottom, (top || 1) * Math.pow(top / bottom || 10, 0.4)];
    }
    return [0, (top || 1) * 1.3];
  }

  function draw() {
    for (const p of plots) p.destroy();
    plots = [];
    const width = Math.max(280, mainBox.clientWidth || root.clientWidth);
    const centers = data.edges.slice(1).map((e, i) => 0.5 * (e + data.edges[i]));
    const blank = centers.map(() => null);
    const x0 = data.edges[0];
    const x1 = data.edges[data.edges.length - 1];
    const ratio = ratioSeries();
    const common = {
      width,
      cursor: { sync: { key: "hf" }, drag: { x: true, y: false, setScale: false }, points: { show: false } },
      legend: { show: false },
      scales: { x: { time: false, range: () => xRange || [x0, x1] } },
      select: { show: true },
    };
    const ticks = data.tick_labels ? { values: (u, splits) => splits.map((v) => data.tick_labels[Math.floor(v - x0)] ?? "") } : {};
    const main = new uPlot(
      {
        ...common,
        height: Math.max(240, Math.round(width * (ratio ? 0.5 : 0.62))),
        scales: { ...common.scales, y: { distr: data.logy ? 3 : 1, range: yRange } },
        axes: [{ ...ticks, size: ratio ? 20 : 40, label: ratio ? "" : data.x_label }, { label: data.y_label, size: 60 }],
        series: [{}, { paths: () => null, points: { show: false } }],
        hooks: { draw: [drawMain], setCursor: [(u) => showBin(u.cursor.idx)], setSelect: [zoomed] },
      },
      [centers, blank],
      mainBox,
    );
    plots.push(main);
    if (ratio) {
      const reach = ratio.values.flatMap((v, i) => (v === null ? [] : [v - (ratio.down[i] || 0), v + (ratio.up[i] || 0)])).filter(Number.isFinite);
      const center = data.ratio_kind === "ratio" || params.get("ratio_to") ? 1 : 0;
      const spread = Math.min(2, reach.reduce((m, v) => Math.max(m, Math.abs(v - center)), 0.2));
      const r = new uPlot(
        {
          ...common,
          height: Math.max(110, Math.round(width * 0.2)),
          scales: { ...common.scales, y: { range: () => [center - spread * 1.1, center + spread * 1.1] } },
          axes: [{ ...ticks, label: data.x_label }, { label: ratio.label.length > 24 ? "ratio" : plain(ratio.label), size: 60 }],
          series: [{}, { paths: () => null, points: { show: false } }],
          hooks: { draw: [drawRatio], setSelect: [zoomed] },
        },
        [centers, blank],
        ratioBox,
      );
      plots.push(r);
    }
    logButton.setAttribute("aria-pressed", String(Boolean(data.logy)));
    legendButtons();
    references();
    showBin(hovered !== null && hovered < centers.length ? hovered : null);
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
    const all = map.cells.flat().filter((v) => v !== null && (!data.logz || v > 0));
    const lo = all.reduce((m, v) => Math.min(m, v), Infinity);
    const hi = all.reduce((m, v) => Math.max(m, v), -Infinity);
    const scale = (v) => (data.logz ? (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo) || 1) : (v - lo) / (hi - lo || 1));
    for (let i = 0; i < map.cells.length; i++) {
      for (let j = 0; j < map.cells[i].length; j++) {
        const v = map.cells[i][j];
        if (v === null || (data.logz && v <= 0)) continue;
        const t = Math.min(1, Math.max(0, scale(v)));
        ctx.fillStyle = `hsl(${260 - 200 * t}, 70%, ${25 + 45 * t}%)`;
        ctx.fillRect(px(xe[i]), py(ye[j + 1]), px(xe[i + 1]) - px(xe[i]) + 0.5, py(ye[j]) - py(ye[j + 1]) + 0.5);
      }
    }
    ctx.strokeStyle = "black";
    ctx.strokeRect(pad.left, pad.top, W, H);
    ctx.fillStyle = "black";
    ctx.fillText(`${data.x_label}: ${fmt(xe[0])} – ${fmt(xe[xe.length - 1])}`, pad.left, canvas.height - 8);
    canvas.addEventListener("mousemove", (event) => {
      const rect = canvas.getBoundingClientRect();
      const x = ((event.clientX - rect.left) * canvas.width) / rect.width;
      const y = ((event.clientY - rect.top) * canvas.height) / rect.height;
      const i = xe.findIndex((e, k) => k < xe.length - 1 && px(e) <= x && x < px(xe[k + 1]));
      const j = ye.findIndex((e, k) => k < ye.length - 1 && py(ye[k + 1]) <= y && y < py(e));
      if (i < 0 || j < 0) return;
      panel.replaceChildren(el("p", { class: "hf-bin", "data-bin": `${i},${j}` }, `cell (${i}, ${j}): ${data.x_label} [${fmt(xe[i])}, ${fmt(xe[i + 1])}), ${data.y_label} [${fmt(ye[j])}, ${fmt(ye[j + 1])})`));
      const table = el("table", { class: "numbers hf-numbers" });
      row(table, map.label || "value", map.cells[i][j], ` ±${fmt(map.stat[i][j])}`);
      panel.append(table);
    });
    root.dataset.ready = String(Date.now());
  }

  // The server leaves out a down side equal to the up side, and zero sides.
  function complete(numbers) {
    if (numbers.two_d) return numbers;
    const zeros = numbers.edges.slice(1).map(() => 0);
    const running = {};
    for (const s of numbers.samples) {
      if (s.hidden) continue;
      const below = running[s.stack];
      if (!s.top) s.top = below ? s.values.map((v, i) => (v === null ? below[i] : v + (below[i] ?? 0))) : s.values;
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

  // -- loading ------------------------------------------------------------------------------
  async function load() {
    if (offline) {
      const numbers = (here || document).querySelector(".hf-chart-data");
      data = complete(JSON.parse(numbers.textContent));
      mergeLabel.hidden = true;
      root.hidden = false;
      if (data.two_d) drawMap();
      else draw();
      return;
    }
    const ticket = ++pending;
    message.textContent = "";
    const query = viewQuery();
    if (params.get("version")) query.set("version", params.get("version"));
    let response;
    try {
      response = await fetch(`${root.dataset.src}?${query}`, { headers: { Accept: "application/json" } });
    } catch (error) {
      message.textContent = "The chart's numbers could not be loaded; the image shows the plot.";
      return;
    }
    if (ticket !== pending) return;
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      message.textContent = body.error || `The chart's numbers could not be loaded (HTTP ${response.status}).`;
      return;
    }
    data = complete(body);
    root.hidden = false;
    root.closest("figure")?.classList.add("hf-interactive");
    if (data.two_d) {
      drawMap();
    } else {
      merge.value = String(currentRange().k);
      if (merge.value === "") merge.value = "1";
      draw();
    }
  }

  load();
})();

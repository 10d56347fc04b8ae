/**
 * The diagnostic plots, each a pure function from arrays to a standalone SVG string.
 */

import type { QQCoordinates } from "../diagnostics/qq.js";
import { dchisq } from "../distributions/chisq.js";
import { maxOf } from "../util/extremes.js";
import { type Box, panelAxes, panelFrame, panelGrid } from "./panel.js";
import { extent, niceStep } from "./scale.js";
import { el, num, polyline, svgDocument, text } from "./svg.js";

const POINT = "#1f5fa8";
const LINE = "#c0392b";
const MUTED = "#777";

export interface PlotSize {
  width?: number;
  height?: number;
}

/** The plotting region of a single-panel figure of the given size (room for the title, ticks and labels). */
function singleBox(width: number, height: number): Box {
  return { x: 78, y: 44, width: width - 78 - 24, height: height - 44 - 62 };
}

function circles(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  r: number,
  fill: string,
  opacity = 0.75,
): string {
  let s = "";
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number;
    const y = ys[i] as number;
    if (Number.isFinite(x) && Number.isFinite(y))
      s += `<circle cx="${num(x)}" cy="${num(y)}" r="${num(r)}" fill="${fill}" fill-opacity="${opacity}"/>`;
  }
  return s;
}

export interface ResidualsVsFittedInput extends PlotSize {
  fitted: ArrayLike<number>;
  residuals: ArrayLike<number>;
  title?: string;
  xLabel?: string;
  yLabel?: string;
}

/** Residuals against fitted values with a zero line. */
export function residualsVsFittedSvg(d: ResidualsVsFittedInput): string {
  const width = d.width ?? 640;
  const height = d.height ?? 460;
  const title = d.title ?? "Residuals vs fitted";
  const axes = panelAxes(
    singleBox(width, height),
    extent(Array.from(d.fitted)),
    extent([...Array.from(d.residuals), 0]),
  );
  const f = panelFrame(axes, { xLabel: d.xLabel ?? "Fitted values", yLabel: d.yLabel ?? "Residuals" });
  const xs = Array.from(d.fitted, (v) => axes.xScale(v));
  const ys = Array.from(d.residuals, (v) => axes.yScale(v));
  const y0 = axes.yScale(0);
  const body = el("g", { "clip-path": f.clip }, [
    el("line", {
      x1: axes.box.x,
      x2: axes.box.x + axes.box.width,
      y1: y0,
      y2: y0,
      stroke: LINE,
      "stroke-dasharray": "6 4",
      "stroke-width": 1.5,
    }),
    circles(xs, ys, 3, POINT),
  ]);
  return svgDocument(width, height, title, [f.under, body, f.over]);
}

export interface QQInput extends PlotSize {
  qq: QQCoordinates;
  title?: string;
  yLabel?: string;
}

function qqMarks(qq: QQCoordinates, axes: ReturnType<typeof panelAxes>, r: number): string {
  const [x0, x1] = axes.xScale.domain;
  const { intercept, slope } = qq.line;
  const line = Number.isFinite(slope)
    ? el("line", {
        x1: axes.xScale(x0),
        x2: axes.xScale(x1),
        y1: axes.yScale(intercept + slope * x0),
        y2: axes.yScale(intercept + slope * x1),
        stroke: LINE,
        "stroke-width": 1.5,
      })
    : "";
  return (
    line +
    circles(
      Array.from(qq.theoretical, (v) => axes.xScale(v)),
      Array.from(qq.sample, (v) => axes.yScale(v)),
      r,
      POINT,
    )
  );
}

/** Normal QQ plot with the quartile reference line (qqnorm + qqline). */
export function qqSvg(d: QQInput): string {
  const width = d.width ?? 560;
  const height = d.height ?? 500;
  const title = d.title ?? "Normal QQ plot of residuals";
  const axes = panelAxes(singleBox(width, height), extent(d.qq.theoretical), extent(d.qq.sample));
  const f = panelFrame(axes, {
    xLabel: "Theoretical normal quantiles",
    yLabel: d.yLabel ?? "Sample quantiles",
  });
  return svgDocument(width, height, title, [
    f.under,
    el("g", { "clip-path": f.clip }, qqMarks(d.qq, axes, 3)),
    f.over,
  ]);
}

export interface QQPanelsInput extends PlotSize {
  panels: { label: string; qq: QQCoordinates }[];
  title?: string;
}

/** Normal QQ plots in small multiples, one panel per random-effect term (each with its own scales). */
export function qqPanelsSvg(d: QQPanelsInput): string {
  const n = Math.max(1, d.panels.length);
  const cols = Math.max(1, Math.min(n, Math.ceil(Math.sqrt(n * 1.3))));
  const rows = Math.ceil(n / cols);
  const width = d.width ?? Math.max(560, cols * 300);
  const height = d.height ?? 90 + rows * 270;
  const title = d.title ?? "Normal QQ plots of the random effects";
  const region: Box = { x: 78, y: 62, width: width - 78 - 24, height: height - 62 - 62 };
  const boxes = panelGrid(n, region, { x: 86, y: 78 });
  const body: string[] = [];
  d.panels.forEach((p, i) => {
    const box = boxes[i] as Box;
    const axes = panelAxes(box, extent(p.qq.theoretical), extent(p.qq.sample), { xTicks: 4, yTicks: 4 });
    const f = panelFrame(axes, {
      strip: p.label,
      xLabel: "Theoretical quantiles",
      yLabel: "Conditional modes",
      tickFontSize: 10,
    });
    body.push(f.under, el("g", { "clip-path": f.clip }, qqMarks(p.qq, axes, 2.5)), f.over);
  });
  return svgDocument(width, height, title, body);
}

export interface CooksInput extends PlotSize {
  values: ArrayLike<number>;
  title?: string;
  /** Labels of the observations (default: 1-based row numbers). */
  labels?: string[];
  /** Observations to draw (0-based; default all). The 3×mean line is always computed from all of them. */
  drawn?: ArrayLike<number>;
}

/** Labels drawn at most: the largest distances (more would cover each other and the stems). */
const MAX_COOKS_LABELS = 10;

/** Cook's distance as stems against observation number, the 3×mean rule-of-thumb line, flagged points labelled. */
export function cooksDistanceSvg(d: CooksInput): string {
  const width = d.width ?? 680;
  const height = d.height ?? 440;
  const title = d.title ?? "Cook's distance";
  const vals = Array.from(d.values);
  const finite = vals.filter(Number.isFinite);
  const mean = finite.reduce((a, b) => a + b, 0) / Math.max(1, finite.length);
  const cut = 3 * mean;
  const axes = panelAxes(
    singleBox(width, height),
    [1, Math.max(2, vals.length)],
    [0, Math.max(cut, maxOf(finite), 0)],
    {
      yIncludeZero: true,
      xPad: 0.02,
      yPad: 0.08,
    },
  );
  const f = panelFrame(axes, { xLabel: "Observation", yLabel: "Cook's distance" });
  const y0 = axes.yScale(0);
  let stems = "";
  const flagged: { x: number; y: number; label: string; v: number }[] = [];
  const drawn = d.drawn ? new Set(Array.from(d.drawn)) : undefined;
  vals.forEach((v, i) => {
    if (!Number.isFinite(v) || (drawn && !drawn.has(i))) return;
    const x = axes.xScale(i + 1);
    const y = axes.yScale(v);
    const over = v > cut;
    stems += `<line x1="${num(x)}" x2="${num(x)}" y1="${num(y0)}" y2="${num(y)}" stroke="${over ? LINE : POINT}" stroke-width="${over ? 1.6 : 1}"/>`;
    if (over) flagged.push({ x, y, v, label: d.labels?.[i] ?? String(i + 1) });
  });
  // Label the largest distances first and skip a label that would overlap one already placed.
  flagged.sort((a, b) => b.v - a.v);
  const placed: { x: number; y: number }[] = [];
  const labels: string[] = [];
  for (const f of flagged) {
    if (labels.length >= MAX_COOKS_LABELS) break;
    if (placed.some((p) => Math.abs(p.x - f.x) < 16 && Math.abs(p.y - f.y) < 12)) continue;
    placed.push(f);
    labels.push(text(f.x, f.y - 4, f.label, { "text-anchor": "middle", "font-size": 10, fill: LINE }));
  }
  const yc = axes.yScale(cut);
  const cutLine = el("line", {
    x1: axes.box.x,
    x2: axes.box.x + axes.box.width,
    y1: yc,
    y2: yc,
    stroke: MUTED,
    "stroke-dasharray": "6 4",
    "stroke-width": 1.3,
  });
  // The rule of thumb as a key in the top-right corner, clear of the stems and their labels.
  const kx = axes.box.x + axes.box.width - 170;
  const ky = axes.box.y + 8;
  const cutLabel = [
    el("rect", {
      x: kx,
      y: ky,
      width: 162,
      height: 22,
      fill: "#ffffff",
      "fill-opacity": 0.9,
      stroke: "#bbb",
    }),
    el("line", {
      x1: kx + 8,
      x2: kx + 30,
      y1: ky + 11,
      y2: ky + 11,
      stroke: MUTED,
      "stroke-dasharray": "6 4",
      "stroke-width": 1.3,
    }),
    text(kx + 36, ky + 15, `3 \u00d7 mean = ${cut.toPrecision(3)}`, { "font-size": 11, fill: "#333" }),
  ].join("");
  return svgDocument(width, height, title, [
    f.under,
    el("g", { "clip-path": f.clip }, [stems, cutLine]),
    ...labels,
    cutLabel,
    f.over,
  ]);
}

export interface LrtBootstrapInput extends PlotSize {
  /** Bootstrap replicates T* (non-finite ones are ignored). */
  replicates: ArrayLike<number>;
  /** The observed statistic T. */
  observed: number;
  /** Degrees of freedom of the χ² reference. */
  df: number;
  title?: string;
  /** Optional p-values to print in the legend. */
  pValueBootstrap?: number;
  pValueChisq?: number;
}

/** Histogram (density scale) of the bootstrap LRT statistics, the χ²_df density, and the observed T. */
export function lrtBootstrapSvg(d: LrtBootstrapInput): string {
  const width = d.width ?? 680;
  const height = d.height ?? 460;
  const title = d.title ?? "Parametric bootstrap of the likelihood-ratio statistic";
  const t = Array.from(d.replicates).filter(Number.isFinite);
  const B = t.length;
  const sorted = [...t].sort((a, b) => a - b);
  // The axis covers every replicate (those beyond T are the ones that make the p-value), T itself and the bulk
  // of the χ² density.
  const hiData = Math.max(
    B ? (sorted[B - 1] as number) : 1,
    Number.isFinite(d.observed) ? d.observed : 0,
    d.df + 3 * Math.sqrt(2 * d.df),
  );
  const lo = Math.min(0, sorted[0] ?? 0);
  // About √B bins (10 to 50), on nice breaks.
  const step = niceStep(hiData - lo, Math.min(50, Math.max(10, Math.round(Math.sqrt(B)))));
  const start = Math.floor(lo / step) * step;
  // floor + 1, not ceil: a replicate exactly at the top edge belongs in the last bin, not off scale.
  const nb = Math.max(1, Math.floor((hiData - start) / step) + 1);
  const counts = new Array<number>(nb).fill(0);
  let beyond = 0;
  for (const v of t) {
    const k = Math.floor((v - start) / step);
    if (k >= 0 && k < nb) counts[k] = (counts[k] as number) + 1;
    else beyond++;
  }
  const dens = counts.map((c) => (B ? c / (B * step) : 0));
  const xs: number[] = [];
  const curve: number[] = [];
  for (let i = 0; i <= 200; i++) {
    const x = Math.max(start, 0) + ((start + nb * step - Math.max(start, 0)) * i) / 200;
    const y = dchisq(x, d.df);
    xs.push(x);
    curve.push(y);
  }
  // Cap the y range where the χ² density is unbounded at 0 (df = 1).
  const maxHist = Math.max(0, maxOf(dens));
  const finiteCurve = curve.filter((v) => Number.isFinite(v));
  const yTop = Math.max(maxHist, Math.min(Math.max(maxOf(finiteCurve), 0), Math.max(maxHist * 1.5, 0.5)));
  const axes = panelAxes(singleBox(width, height), [start, start + nb * step], [0, yTop], {
    yIncludeZero: true,
    xPad: 0.01,
  });
  const f = panelFrame(axes, { xLabel: "Likelihood-ratio statistic T", yLabel: "Density" });
  const bars = dens
    .map((v, k) => {
      const x0 = axes.xScale(start + k * step);
      const x1 = axes.xScale(start + (k + 1) * step);
      const y = axes.yScale(v);
      return el("rect", {
        x: x0,
        y,
        width: Math.max(0, x1 - x0),
        height: Math.max(0, axes.yScale(0) - y),
        fill: "#a9c4e4",
        stroke: "#5b7fa8",
        "stroke-width": 0.6,
      });
    })
    .join("");
  const curveSvg = polyline(
    xs.map((x) => axes.xScale(x)),
    curve.map((y) => axes.yScale(Math.min(y, axes.yScale.domain[1] * 1.05))),
    { stroke: LINE, "stroke-width": 2 },
  );
  const ox = axes.xScale(d.observed);
  const obs = Number.isFinite(d.observed)
    ? el("line", {
        x1: ox,
        x2: ox,
        y1: axes.box.y,
        y2: axes.box.y + axes.box.height,
        stroke: "#111",
        "stroke-width": 2,
        "stroke-dasharray": "5 3",
      })
    : "";
  // The legend goes top right, or top left when the observed T's line would run under it.
  const right = axes.box.x + axes.box.width - 250;
  const left = axes.box.x + 16;
  const lx = Number.isFinite(d.observed) && ox >= right - 14 && ox <= right + 250 ? left : right;
  const ly = axes.box.y + 12;
  const legendLines = [
    {
      color: "#a9c4e4",
      label: `bootstrap T* (B = ${B}${beyond ? `, ${beyond} off scale` : ""})`,
      kind: "box",
    },
    { color: LINE, label: `\u03c7\u00b2 density, df = ${d.df}`, kind: "line" },
    {
      color: "#111",
      label: `observed T = ${Number.isFinite(d.observed) ? d.observed.toFixed(3) : "NA"}`,
      kind: "dash",
    },
  ];
  if (d.pValueBootstrap !== undefined)
    legendLines.push({
      color: "none",
      label: `bootstrap p = ${d.pValueBootstrap.toPrecision(3)}`,
      kind: "none",
    });
  if (d.pValueChisq !== undefined)
    legendLines.push({
      color: "none",
      label: `\u03c7\u00b2 p = ${d.pValueChisq.toPrecision(3)}`,
      kind: "none",
    });
  const legend = [
    el("rect", {
      x: lx - 8,
      y: ly - 10,
      width: 252,
      height: legendLines.length * 18 + 8,
      fill: "#ffffff",
      "fill-opacity": 0.9,
      stroke: "#bbb",
    }),
    ...legendLines.map((l, i) => {
      const y = ly + i * 18;
      const key =
        l.kind === "box"
          ? el("rect", { x: lx, y: y - 6, width: 18, height: 10, fill: l.color, stroke: "#5b7fa8" })
          : l.kind === "none"
            ? ""
            : el("line", {
                x1: lx,
                x2: lx + 18,
                y1: y,
                y2: y,
                stroke: l.color,
                "stroke-width": 2,
                "stroke-dasharray": l.kind === "dash" ? "5 3" : undefined,
              });
      return key + text(lx + 26, y + 4, l.label, { "font-size": 11, fill: "#111" });
    }),
  ];
  return svgDocument(width, height, title, [
    f.under,
    el("g", { "clip-path": f.clip }, [bars, curveSvg, obs]),
    f.over,
    ...legend,
  ]);
}

export interface GroupSeries {
  name: string;
  x: ArrayLike<number>;
  observed: ArrayLike<number>;
  fitted: ArrayLike<number>;
}

export interface ObservedFittedInput extends PlotSize {
  groups: GroupSeries[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Label of the grouping factor for the panel strips, e.g. "tree". */
  groupLabel?: string;
}

/**
 * Observed points and fitted lines against a numeric covariate for each group: small multiples with shared
 * scales up to 100 groups, one panel with a line per group beyond that.
 */
export function observedFittedSvg(d: ObservedFittedInput): string {
  const title = d.title ?? "Observed and fitted values by group";
  const allX = d.groups.flatMap((g) => Array.from(g.x));
  const allY = d.groups.flatMap((g) => [...Array.from(g.observed), ...Array.from(g.fitted)]);
  const xe = extent(allX);
  const ye = extent(allY);
  const line = (g: GroupSeries, axes: ReturnType<typeof panelAxes>, color: string, w: number): string => {
    const order = Array.from(g.x, (_, i) => i).sort((a, b) => (g.x[a] as number) - (g.x[b] as number));
    return polyline(
      order.map((i) => axes.xScale(g.x[i] as number)),
      order.map((i) => axes.yScale(g.fitted[i] as number)),
      { stroke: color, "stroke-width": w },
    );
  };
  if (d.groups.length > 100) {
    const width = d.width ?? 720;
    const height = d.height ?? 500;
    const axes = panelAxes(singleBox(width, height), xe, ye);
    const f = panelFrame(axes, { xLabel: d.xLabel, yLabel: d.yLabel });
    const marks = d.groups.map(
      (g) =>
        circles(
          Array.from(g.x, (v) => axes.xScale(v)),
          Array.from(g.observed, (v) => axes.yScale(v)),
          1.6,
          POINT,
          0.35,
        ) + line(g, axes, LINE, 0.8),
    );
    return svgDocument(width, height, title, [f.under, el("g", { "clip-path": f.clip }, marks), f.over]);
  }
  const n = Math.max(1, d.groups.length);
  const cols = Math.max(1, Math.min(n, Math.ceil(Math.sqrt(n * 1.3))));
  const rows = Math.ceil(n / cols);
  const cell = n <= 4 ? 260 : n <= 30 ? 170 : 120;
  const width = d.width ?? Math.max(520, 100 + cols * (cell + 10));
  const height = d.height ?? 130 + rows * (cell * 0.8 + 22);
  const region: Box = { x: 78, y: 70, width: width - 78 - 20, height: height - 70 - 66 };
  const boxes = panelGrid(n, region, { x: 8, y: 22 });
  const lastRowStart = (rows - 1) * cols;
  const body: string[] = [];
  d.groups.forEach((g, i) => {
    const box = boxes[i] as Box;
    const axes = panelAxes(box, xe, ye, { xTicks: 3, yTicks: 3 });
    // Shared scales: tick labels only on the outer panels, axis labels once.
    const f = panelFrame(axes, {
      strip: d.groupLabel ? `${d.groupLabel} ${g.name}` : g.name,
      showXTickLabels: i >= lastRowStart || i + cols >= n,
      showYTickLabels: i % cols === 0,
      tickFontSize: 9,
    });
    const marks =
      circles(
        Array.from(g.x, (v) => axes.xScale(v)),
        Array.from(g.observed, (v) => axes.yScale(v)),
        n > 30 ? 1.6 : 2.2,
        POINT,
        0.8,
      ) + line(g, axes, LINE, 1.4);
    body.push(f.under, el("g", { "clip-path": f.clip }, marks), f.over);
  });
  if (d.xLabel)
    body.push(
      text(region.x + region.width / 2, height - 16, d.xLabel, {
        "text-anchor": "middle",
        "font-size": 13,
        fill: "#111",
      }),
    );
  if (d.yLabel) {
    const cy = region.y + region.height / 2;
    body.push(
      text(22, cy, d.yLabel, {
        "text-anchor": "middle",
        "font-size": 13,
        fill: "#111",
        transform: `rotate(-90 22 ${Math.round(cy)})`,
      }),
    );
  }
  body.push(
    text(width - 20, 40, "points: observed \u00b7 lines: fitted (with random effects)", {
      "text-anchor": "end",
      "font-size": 11,
      fill: MUTED,
    }),
  );
  return svgDocument(width, height, title, body);
}

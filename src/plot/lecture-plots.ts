/**
 * The two pictures of the lecture's story (MATH-516, week 7), as standalone SVG:
 * - residuals grouped by tree: one boxplot per group, groups ordered by their median (R's boxplot.stats: Tukey's
 *   hinges, whiskers to the most extreme value within 1.5 hinge spreads, points beyond them drawn singly). A
 *   model that ignores the grouping leaves boxes that sit away from zero: the residuals are correlated within
 *   groups, the lm's independence assumption fails;
 * - per-group lines of a fixed-effect-only fit (`y ~ group + x`, dashed) beside those of the random-intercept fit
 *   (`y ~ x + (1 | group)`, solid) over the data: the random intercepts are shrunk towards the population line.
 */
import { type Box, panelAxes, panelFrame } from "./panel.js";
import { extent } from "./scale.js";
import { el, num, polyline, svgDocument } from "./svg.js";

const BOX_FILL = "#dbe6f3";
const BOX_LINE = "#1f5fa8";
const FIXED = "#c0392b";
const MIXED = "#1f5fa8";

/** R's fivenum (Tukey's hinges) of sorted values: min, lower hinge, median, upper hinge, max. */
function fivenum(sorted: number[]): [number, number, number, number, number] {
  const n = sorted.length;
  const n4 = Math.floor((n + 3) / 2) / 2;
  const d = [1, n4, (n + 1) / 2, n + 1 - n4, n];
  const at = (k: number) =>
    0.5 * ((sorted[Math.floor(k) - 1] as number) + (sorted[Math.ceil(k) - 1] as number));
  return d.map(at) as [number, number, number, number, number];
}

export interface BoxStats {
  group: string;
  q1: number;
  median: number;
  q3: number;
  /** Whisker ends: the most extreme values within 1.5 hinge spreads of the box. */
  low: number;
  high: number;
  outliers: number[];
}

/** Boxplot statistics per group, ordered by median (ties by first appearance). */
export function groupedBoxStats(values: ArrayLike<number>, groups: readonly string[]): BoxStats[] {
  const by = new Map<string, number[]>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    const g = groups[i] as string;
    let list = by.get(g);
    if (!list) by.set(g, (list = []));
    list.push(v);
  }
  const stats: BoxStats[] = [];
  for (const [group, list] of by) {
    const s = [...list].sort((a, b) => a - b);
    const [, q1, median, q3] = fivenum(s);
    const iqr = q3 - q1;
    const inside = s.filter((v) => v >= q1 - 1.5 * iqr && v <= q3 + 1.5 * iqr);
    stats.push({
      group,
      q1,
      median,
      q3,
      low: inside[0] ?? q1,
      high: inside[inside.length - 1] ?? q3,
      outliers: s.filter((v) => v < q1 - 1.5 * iqr || v > q3 + 1.5 * iqr),
    });
  }
  return stats.sort((a, b) => a.median - b.median);
}

export interface ResidualsByGroupInput {
  residuals: ArrayLike<number>;
  /** The group of each observation. */
  groups: readonly string[];
  title?: string;
  groupLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
}

/** Boxplots of residuals per group, ordered by median, with the zero line. */
export function residualsByGroupSvg(d: ResidualsByGroupInput): string {
  const stats = groupedBoxStats(d.residuals, d.groups);
  const width = d.width ?? Math.max(640, 120 + stats.length * 9);
  const height = d.height ?? 420;
  const title = d.title ?? `Residuals grouped by ${d.groupLabel ?? "group"}`;
  const box: Box = { x: 78, y: 44, width: width - 78 - 24, height: height - 44 - 62 };
  const all = stats.flatMap((s) => [s.low, s.high, ...s.outliers, 0]);
  const axes = panelAxes(box, [0.5, stats.length + 0.5], extent(all), { xTicks: 4, xPad: 0 });
  const f = panelFrame(axes, {
    xLabel: `${d.groupLabel ?? "group"} (ordered by median residual)`,
    yLabel: d.yLabel ?? "Residuals",
    showXTickLabels: false,
  });
  const { xScale, yScale } = axes;
  const step = Math.abs(xScale(2) - xScale(1));
  const half = Math.max(1, step * 0.35);
  const marks: string[] = [
    el("line", {
      x1: box.x,
      x2: box.x + box.width,
      y1: yScale(0),
      y2: yScale(0),
      stroke: "#888",
      "stroke-dasharray": "4 3",
    }),
  ];
  stats.forEach((s, i) => {
    const cx = xScale(i + 1);
    const top = yScale(s.q3);
    const bottom = yScale(s.q1);
    marks.push(
      el("line", { x1: cx, x2: cx, y1: yScale(s.high), y2: top, stroke: BOX_LINE }),
      el("line", { x1: cx, x2: cx, y1: bottom, y2: yScale(s.low), stroke: BOX_LINE }),
      el("rect", {
        x: cx - half,
        y: top,
        width: 2 * half,
        height: Math.max(0.5, bottom - top),
        fill: BOX_FILL,
        stroke: BOX_LINE,
        "data-group": s.group,
      }),
      el("line", {
        x1: cx - half,
        x2: cx + half,
        y1: yScale(s.median),
        y2: yScale(s.median),
        stroke: "#111",
        "stroke-width": 1.5,
      }),
    );
    for (const o of s.outliers)
      marks.push(`<circle cx="${num(cx)}" cy="${num(yScale(o))}" r="1.8" fill="none" stroke="${BOX_LINE}"/>`);
  });
  return svgDocument(width, height, title, [f.under, el("g", { "clip-path": f.clip }, marks), f.over]);
}

export interface GroupLine {
  group: string;
  /** x values of the group's observations and the two fits' values there. */
  x: ArrayLike<number>;
  observed: ArrayLike<number>;
  fixedFit: ArrayLike<number>;
  mixedFit: ArrayLike<number>;
}

export interface GroupLinesInput {
  lines: GroupLine[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
}

/** Data with per-group lines: fixed-effect-only fit dashed, random-intercept fit solid. */
export function groupLinesSvg(d: GroupLinesInput): string {
  const width = d.width ?? 720;
  const height = d.height ?? 500;
  const title =
    d.title ?? "Lines by the fixed-effect-only model (dashed) and the random-intercept model (solid)";
  const box: Box = { x: 78, y: 44, width: width - 78 - 24, height: height - 44 - 62 };
  const xs = d.lines.flatMap((l) => Array.from(l.x));
  const ys = d.lines.flatMap((l) => [
    ...Array.from(l.observed),
    ...Array.from(l.fixedFit),
    ...Array.from(l.mixedFit),
  ]);
  const axes = panelAxes(box, extent(xs), extent(ys));
  const f = panelFrame(axes, { xLabel: d.xLabel ?? "x", yLabel: d.yLabel ?? "y" });
  const { xScale, yScale } = axes;
  const marks: string[] = [];
  for (const l of d.lines) {
    const order = Array.from(l.x, (_, i) => i).sort((a, b) => (l.x[a] as number) - (l.x[b] as number));
    const px = order.map((i) => xScale(l.x[i] as number));
    marks.push(
      polyline(
        px,
        order.map((i) => yScale(l.fixedFit[i] as number)),
        {
          stroke: FIXED,
          "stroke-width": 0.9,
          "stroke-dasharray": "5 3",
          "stroke-opacity": 0.7,
          "data-fit": "fixed",
        },
      ),
      polyline(
        px,
        order.map((i) => yScale(l.mixedFit[i] as number)),
        {
          stroke: MIXED,
          "stroke-width": 0.9,
          "stroke-opacity": 0.8,
          "data-fit": "mixed",
        },
      ),
    );
    for (const i of order)
      marks.push(
        `<circle cx="${num(xScale(l.x[i] as number))}" cy="${num(yScale(l.observed[i] as number))}" r="1.6" fill="#555" fill-opacity="0.45"/>`,
      );
  }
  return svgDocument(width, height, title, [f.under, el("g", { "clip-path": f.clip }, marks), f.over]);
}

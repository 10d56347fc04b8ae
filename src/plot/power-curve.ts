/**
 * The power curve (simr's plot of a powerCurve): estimated power against the number of groups, each point with
 * its Clopper–Pearson 95% interval as a vertical bar, joined by a line, on a 0–1 axis with dashed guides at the
 * test's level α and at the conventional 80%. A run without sizes is one point at its number of observations.
 */

import { maxOf, minOf } from "../util/extremes.js";
import { type Box, panelAxes, panelFrame } from "./panel.js";
import { el, num, polyline, svgDocument } from "./svg.js";

const POINT = "#1f5fa8";
const GUIDE = "#c0392b";
const MUTED = "#777";

export interface PowerCurveInput {
  /** x of each point: the number of groups (or of observations). */
  x: number[];
  power: number[];
  lower: number[];
  upper: number[];
  alpha: number;
  xLabel: string;
  title: string;
  width?: number;
  height?: number;
}

export function powerCurveSvg(d: PowerCurveInput): string {
  const width = d.width ?? 640;
  const height = d.height ?? 460;
  const box: Box = { x: 78, y: 44, width: width - 78 - 24, height: height - 44 - 62 };
  const xs = d.x.filter(Number.isFinite);
  const lo = minOf(xs);
  const hi = maxOf(xs);
  const span = hi > lo ? hi - lo : Math.max(1, Math.abs(lo) * 0.5);
  const axes = panelAxes(box, hi > lo ? [lo, hi] : [lo - span, hi + span], [0, 1], {
    xPad: 0.08,
    yPad: 0.02,
  });
  const f = panelFrame(axes, { xLabel: d.xLabel, yLabel: "Power (95% interval)" });
  const { xScale, yScale } = axes;
  const guide = (y: number, color: string) =>
    el("line", {
      x1: box.x,
      x2: box.x + box.width,
      y1: yScale(y),
      y2: yScale(y),
      stroke: color,
      "stroke-dasharray": "6 4",
      "stroke-width": 1.2,
    });
  const marks: string[] = [guide(d.alpha, MUTED), guide(0.8, GUIDE)];
  marks.push(
    polyline(
      d.x.map((v) => xScale(v)),
      d.power.map((v) => yScale(v)),
      { stroke: POINT, "stroke-width": 1.5 },
    ),
  );
  d.x.forEach((v, i) => {
    const px = xScale(v);
    const l = d.lower[i] as number;
    const u = d.upper[i] as number;
    const p = d.power[i] as number;
    if (Number.isFinite(l) && Number.isFinite(u))
      marks.push(
        el("line", { x1: px, x2: px, y1: yScale(l), y2: yScale(u), stroke: POINT, "stroke-width": 1.5 }),
        el("line", {
          x1: px - 5,
          x2: px + 5,
          y1: yScale(l),
          y2: yScale(l),
          stroke: POINT,
          "stroke-width": 1.5,
        }),
        el("line", {
          x1: px - 5,
          x2: px + 5,
          y1: yScale(u),
          y2: yScale(u),
          stroke: POINT,
          "stroke-width": 1.5,
        }),
      );
    if (Number.isFinite(p))
      marks.push(`<circle cx="${num(px)}" cy="${num(yScale(p))}" r="4" fill="${POINT}"/>`);
  });
  return svgDocument(width, height, d.title, [f.under, el("g", { "clip-path": f.clip }, marks), f.over]);
}

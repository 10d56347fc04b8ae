/**
 * One plotting panel: background, grid, frame, tick marks with labels, axis labels and an optional strip title.
 * Plots draw their marks with the panel's scales (in pixels) and clip them to the panel's box.
 */
import { type LinearScale, linearScale } from "./scale.js";
import { el, text } from "./svg.js";

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PanelAxes {
  box: Box;
  xScale: LinearScale;
  yScale: LinearScale;
}

/** Scales mapping data extents to a box (y grows upwards on screen). */
export function panelAxes(
  box: Box,
  xExtent: [number, number],
  yExtent: [number, number],
  options: { xTicks?: number; yTicks?: number; yIncludeZero?: boolean; xPad?: number; yPad?: number } = {},
): PanelAxes {
  return {
    box,
    xScale: linearScale(xExtent, [box.x, box.x + box.width], {
      ticks: options.xTicks ?? 6,
      pad: options.xPad,
    }),
    yScale: linearScale(yExtent, [box.y + box.height, box.y], {
      ticks: options.yTicks ?? 5,
      includeZero: options.yIncludeZero,
      pad: options.yPad,
    }),
  };
}

let clipCounter = 0;

export interface PanelFrameOptions {
  xLabel?: string;
  yLabel?: string;
  strip?: string;
  showXTickLabels?: boolean;
  showYTickLabels?: boolean;
  tickFontSize?: number;
}

/** Everything under and around the marks; returns [background, foreground] so marks sit between them. */
export function panelFrame(
  axes: PanelAxes,
  o: PanelFrameOptions = {},
): { under: string; over: string; clip: string } {
  const { box, xScale, yScale } = axes;
  const fs = o.tickFontSize ?? 11;
  const under: string[] = [el("rect", { ...box, fill: "#fafafa", stroke: "none" })];
  const over: string[] = [];
  const inX = (t: number) => {
    const px = xScale(t);
    return px >= box.x - 0.5 && px <= box.x + box.width + 0.5;
  };
  const inY = (t: number) => {
    const py = yScale(t);
    return py >= box.y - 0.5 && py <= box.y + box.height + 0.5;
  };
  for (const t of xScale.ticks.filter(inX)) {
    const px = xScale(t);
    under.push(el("line", { x1: px, x2: px, y1: box.y, y2: box.y + box.height, stroke: "#e4e4e4" }));
    over.push(
      el("line", { x1: px, x2: px, y1: box.y + box.height, y2: box.y + box.height + 4, stroke: "#333" }),
    );
    if (o.showXTickLabels !== false)
      over.push(
        text(px, box.y + box.height + 6 + fs, xScale.format(t), {
          "text-anchor": "middle",
          "font-size": fs,
          fill: "#333",
        }),
      );
  }
  for (const t of yScale.ticks.filter(inY)) {
    const py = yScale(t);
    under.push(el("line", { x1: box.x, x2: box.x + box.width, y1: py, y2: py, stroke: "#e4e4e4" }));
    over.push(el("line", { x1: box.x - 4, x2: box.x, y1: py, y2: py, stroke: "#333" }));
    if (o.showYTickLabels !== false)
      over.push(
        text(box.x - 6, py + fs * 0.35, yScale.format(t), {
          "text-anchor": "end",
          "font-size": fs,
          fill: "#333",
        }),
      );
  }
  over.push(el("rect", { ...box, fill: "none", stroke: "#555" }));
  if (o.xLabel)
    over.push(
      text(box.x + box.width / 2, box.y + box.height + 2 * fs + 16, o.xLabel, {
        "text-anchor": "middle",
        "font-size": 13,
        fill: "#111",
      }),
    );
  if (o.yLabel) {
    const cx = box.x - 52;
    const cy = box.y + box.height / 2;
    over.push(
      text(cx, cy, o.yLabel, {
        "text-anchor": "middle",
        "font-size": 13,
        fill: "#111",
        transform: `rotate(-90 ${Math.round(cx)} ${Math.round(cy)})`,
      }),
    );
  }
  if (o.strip) {
    over.push(
      el("rect", { x: box.x, y: box.y - 16, width: box.width, height: 16, fill: "#dde6f0", stroke: "#555" }),
    );
    over.push(
      text(box.x + box.width / 2, box.y - 4, o.strip, {
        "text-anchor": "middle",
        "font-size": 11,
        fill: "#111",
      }),
    );
  }
  const id = `clip${++clipCounter}`;
  under.push(el("clipPath", { id }, el("rect", { ...box })));
  return { under: under.join(""), over: over.join(""), clip: `url(#${id})` };
}

/** Grid of n panels in a region: columns ≈ √n (wider than tall), with gaps for ticks and strips. */
export function panelGrid(n: number, region: Box, gap: { x: number; y: number }): Box[] {
  const cols = Math.max(1, Math.min(n, Math.ceil(Math.sqrt(n * 1.3))));
  const rows = Math.max(1, Math.ceil(n / cols));
  const w = (region.width - gap.x * (cols - 1)) / cols;
  const h = (region.height - gap.y * (rows - 1)) / rows;
  const boxes: Box[] = [];
  for (let i = 0; i < n; i++) {
    const r = Math.floor(i / cols);
    const c = i % cols;
    boxes.push({ x: region.x + c * (w + gap.x), y: region.y + r * (h + gap.y), width: w, height: h });
  }
  return boxes;
}

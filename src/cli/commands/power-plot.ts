/**
 * `spruce plot --power RESULT.json --out DIR`: the power curve of a saved `spruce power --json` (or
 * `spruce merge --json` on power shards) result, written to DIR/power-curve.svg.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DataError } from "../../errors.js";
import type { PowerResult } from "../../inference/power.js";
import { powerPlotSvg } from "./power.js";

/** Read the JSON, draw, write; returns the SVG's path. */
export function writePowerPlot(jsonPath: string, outDir: string): string {
  let r: PowerResult;
  try {
    r = JSON.parse(readFileSync(jsonPath, "utf8")) as PowerResult;
  } catch (error) {
    throw new DataError(`cannot read the power result ${jsonPath}: ${(error as Error).message}`);
  }
  if (!Array.isArray(r.points) || typeof r.alpha !== "number")
    throw new DataError(`${jsonPath} is not the JSON of spruce power (no "points" and "alpha")`);
  const points = r.points.map((p) => ({
    ...p,
    power: p.power ?? Number.NaN,
    lower: p.lower ?? Number.NaN,
    upper: p.upper ?? Number.NaN,
  }));
  const dir = resolve(outDir);
  const path = join(dir, "power-curve.svg");
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, powerPlotSvg({ ...r, points }));
  } catch (error) {
    throw new DataError(`cannot write ${path}: ${(error as Error).message}`);
  }
  return path;
}

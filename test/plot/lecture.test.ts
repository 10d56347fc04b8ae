/**
 * The lecture's pictures against R (test/fixtures/lecture/lecture_plots.json, made by lecture_plots.R beside it):
 * boxplot statistics of the lm's residuals by tree, ordered by median; the fitted values behind the dashed
 * (fixed-effect-only lm) and solid (random-intercept lmer) lines; and the SVG files `spruce plot` writes.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { fitMixed } from "../../src/fit/fit.js";
import { readCsv } from "../../src/frame/csv.js";
import { fitLinearModel } from "../../src/lm/fit.js";
import { groupLabels, plotGroupLines } from "../../src/plot/lecture-model.js";
import { groupedBoxStats } from "../../src/plot/lecture-plots.js";
import { fixturesDir } from "../support/fixtures.js";
import { xmlError } from "./xml.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const sitkaPath = join(fixturesDir, "conformance", "data", "sitka.csv");
const ref = JSON.parse(readFileSync(join(fixturesDir, "lecture", "lecture_plots.json"), "utf8")) as {
  groups: string[];
  stats: number[][];
  outGroups: string[];
  out: number[];
  fixedFitted: number[];
  mixedFitted: number[];
};

describe("residuals grouped by tree", () => {
  const sitka = readCsv(sitkaPath);
  const m0 = fitLinearModel("size ~ time + I(time^2)", sitka);
  const stats = groupedBoxStats(m0.residuals(), groupLabels(sitka, "tree", m0.design.rows));

  it("has R's boxplot statistics per tree (whiskers, hinges, median, outliers)", () => {
    expect(stats).toHaveLength(79);
    for (const s of stats) {
      const k = ref.groups.indexOf(s.group);
      const [lo, q1, med, q3, hi] = ref.stats.map((row) => row[k] as number);
      expect(s.low).toBeCloseTo(lo as number, 10);
      expect(s.q1).toBeCloseTo(q1 as number, 10);
      expect(s.median).toBeCloseTo(med as number, 10);
      expect(s.q3).toBeCloseTo(q3 as number, 10);
      expect(s.high).toBeCloseTo(hi as number, 10);
      const outs = ref.out.filter((_, i) => ref.outGroups[i] === s.group).sort((a, b) => a - b);
      expect(s.outliers.length).toBe(outs.length);
    }
  });

  it("orders the boxes by median", () => {
    for (let i = 1; i < stats.length; i++)
      expect((stats[i] as { median: number }).median).toBeGreaterThanOrEqual(
        (stats[i - 1] as { median: number }).median,
      );
  });
});

describe("fixed-effect-only lines (dashed) beside random-intercept lines (solid)", () => {
  it("draws R's fitted values of lm(size ~ factor(tree) + time) and lmer(size ~ time + (1 | tree))", async () => {
    const plot = await plotGroupLines(readCsv(sitkaPath), "size", "time", "tree");
    expect(plot.name).toBe("group-lines");
    expect((plot.svg.match(/data-fit="fixed"/g) ?? []).length).toBe(79);
    expect((plot.svg.match(/data-fit="mixed"/g) ?? []).length).toBe(79);
    expect(plot.svg).toMatch(/stroke-dasharray="5 3"[^>]*data-fit="fixed"/);
    const sitka = readCsv(sitkaPath);
    const fixed = fitLinearModel("size ~ factor(tree) + time", sitka);
    fixed.fittedValues.forEach((v, i) => {
      expect(v).toBeCloseTo(ref.fixedFitted[i] as number, 9);
    });
    const mixed = await fitMixed("size ~ time + (1 | tree)", sitka);
    mixed.fitted().forEach((v, i) => {
      expect(Math.abs(v - (ref.mixedFitted[i] as number))).toBeLessThan(1e-5);
    });
  });
});

describe("spruce plot", () => {
  it("writes the lecture's pictures for an lm with --group and for a mixed model", async () => {
    const dir = mkdtempSync(join(tmpdir(), "spruce-lecture-"));
    const lm = await run("node", [
      cli,
      "plot",
      sitkaPath,
      "size ~ time + I(time^2)",
      "--group",
      "tree",
      "--out",
      dir,
    ]);
    expect(lm.stdout).toMatch(/residuals-by-group\.svg/);
    expect(lm.stdout).toMatch(/group-lines\.svg/);
    const svg = readFileSync(join(dir, "residuals-by-group.svg"), "utf8");
    expect((svg.match(/data-group=/g) ?? []).length).toBe(79);
    expect(xmlError(svg)).toBeNull();
    expect(xmlError(readFileSync(join(dir, "group-lines.svg"), "utf8"))).toBeNull();
    const mixed = await run("node", [
      cli,
      "plot",
      sitkaPath,
      "size ~ time + (1 | tree)",
      "--group",
      "tree",
      "--out",
      dir,
    ]);
    expect(mixed.stdout).toMatch(/observed-fitted\.svg/);
    expect(mixed.stdout).toMatch(/residuals-by-group\.svg/);
    await expect(run("node", [cli, "plot", sitkaPath, "size ~ time", "--out", dir])).rejects.toThrow(
      /--group/,
    );
  });
});

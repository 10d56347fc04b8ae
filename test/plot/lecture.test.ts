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
import { withinGroupFit } from "../../src/plot/group-lines-fit.js";
import { groupLabels, MAX_GROUP_LINES, plotGroupLines } from "../../src/plot/lecture-model.js";
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

describe("the dashed lines' fit: lm(y ~ factor(g) + x) by the within-group regression", () => {
  it("gives R's fitted values of lm(size ~ factor(tree) + time) on Sitka", () => {
    const sitka = readCsv(sitkaPath);
    const labels = groupLabels(
      sitka,
      "tree",
      Array.from({ length: sitka.nrow }, (_, i) => i),
    );
    const levels = [...new Set(labels)];
    const codes = labels.map((g) => levels.indexOf(g));
    const col = (name: string) => sitka.columns.get(name)?.values as ArrayLike<number>;
    const fitted = withinGroupFit(col("size"), col("time"), codes, levels.length);
    fitted.forEach((v, i) => {
      expect(v).toBeCloseTo(ref.fixedFitted[i] as number, 9);
    });
  });

  it("equals the QR fit on unbalanced groups, and the group means when x is constant within every group", () => {
    let state = 7;
    const uniform = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    const n = 300;
    const rows = Array.from({ length: n }, () => {
      const g = Math.floor(uniform() * uniform() * 12); // unbalanced: small groups are frequent
      const x = uniform() * 5;
      return { g: `g${g}`, x, flat: g * 0.5, y: g - 0.7 * x + uniform() };
    });
    const levels = [...new Set(rows.map((r) => r.g))];
    const codes = rows.map((r) => levels.indexOf(r.g));
    const y = rows.map((r) => r.y);
    for (const x of ["x", "flat"] as const) {
      const qr = fitLinearModel(`y ~ factor(g) + ${x}`, rows);
      const within = withinGroupFit(
        y,
        rows.map((r) => r[x]),
        codes,
        levels.length,
      );
      if (x === "flat") expect(qr.aliased()).toContain("flat");
      within.forEach((v, i) => {
        expect(v).toBeCloseTo(qr.fittedValues[i] as number, 10);
      });
    }
  });

  it("draws at most MAX_GROUP_LINES groups, an even sample that the title states", async () => {
    const data = Array.from({ length: 2000 }, (_, i) => ({
      g: `g${i % 200}`,
      x: i % 7,
      y: (i % 200) * 0.1 + i / 1000,
    }));
    const plot = await plotGroupLines(data, "y", "x", "g");
    expect((plot.svg.match(/data-fit="fixed"/g) ?? []).length).toBe(MAX_GROUP_LINES);
    expect(plot.title).toContain(`(${MAX_GROUP_LINES} of 200 groups drawn)`);
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

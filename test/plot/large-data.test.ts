/**
 * Plots of large data and the bootstrap histogram (issue 16): thinned scatters keep the extremes and say so, at most
 * ten Cook's labels, the histogram's axis covers every replicate, and its legend stays clear of the observed T.
 */
import { describe, expect, it } from "vitest";
import { fit } from "../../src/fit/fit.js";
import { plotModel } from "../../src/plot/model-plots.js";
import { cooksDistanceSvg, lrtBootstrapSvg } from "../../src/plot/plots.js";
import { thinIndices } from "../../src/plot/thin.js";

describe("thinning", () => {
  it("keeps at most max indices, all of the most extreme tenth, in order", () => {
    const score = (i: number) => (i === 777 ? 100 : i % 13);
    const kept = thinIndices(10_000, 500, score);
    expect(kept).not.toBeNull();
    const k = Array.from(kept as Int32Array);
    expect(k.length).toBeLessThanOrEqual(500);
    expect(k).toContain(777);
    expect([...k].sort((a, b) => a - b)).toEqual(k);
    expect(thinIndices(100, 500)).toBeNull();
  });

  it("plotModel with maxPoints draws fewer marks and says so in the titles", async () => {
    const n = 3000;
    const data = {
      y: Array.from({ length: n }, (_, i) => Math.sin(i) + (i % 30) / 10 + (i % 7)),
      x: Array.from({ length: n }, (_, i) => (i % 17) / 3),
      g: Array.from({ length: n }, (_, i) => `g${i % 30}`),
    };
    const m = await fit("y ~ x + (1|g)", data);
    const plots = plotModel(m, { maxPoints: 600 });
    const byName = Object.fromEntries(plots.map((p) => [p.name, p]));
    expect(byName["residuals-fitted"]?.title).toMatch(/\(\d{3} of 3,000 points drawn/);
    expect((byName["residuals-fitted"]?.svg.match(/<circle/g) ?? []).length).toBeLessThanOrEqual(600);
    expect(byName["observed-fitted"]?.title).toContain("6 of 30 groups");
    const full = plotModel(m);
    expect((full[0]?.svg.match(/<circle/g) ?? []).length).toBe(n);
  });
});

describe("Cook's distance labels", () => {
  it("labels at most ten points", () => {
    const values = Array.from({ length: 2000 }, (_, i) => (i % 50 === 0 ? 1 + i / 1000 : 0.001));
    const svg = cooksDistanceSvg({ values });
    const labels = svg.match(/<text[^>]*text-anchor="middle"[^>]*font-size="10"/g) ?? [];
    expect(labels.length).toBeLessThanOrEqual(10);
    expect(labels.length).toBeGreaterThan(0);
  });
});

describe("the bootstrap histogram", () => {
  it("covers every replicate, including those far beyond T", () => {
    const replicates = [...Array.from({ length: 999 }, (_, i) => (i % 50) / 10), 40];
    const svg = lrtBootstrapSvg({ replicates, observed: 12, df: 3 });
    expect(svg).not.toContain("off scale");
    // A tick label at or beyond 40 on the x axis.
    const ticks = [...svg.matchAll(/>(\d+)<\/text>/g)].map((m) => Number(m[1]));
    expect(Math.max(...ticks)).toBeGreaterThanOrEqual(40);
  });

  it("moves the legend to the left when T's line runs under it", () => {
    const replicates = Array.from({ length: 500 }, (_, i) => (i % 40) / 10);
    const legendX = (svg: string) => Number(/<rect x="([\d.]+)"[^>]*width="252"/.exec(svg)?.[1]);
    const right = lrtBootstrapSvg({ replicates, observed: 0.5, df: 1 });
    const left = lrtBootstrapSvg({ replicates, observed: 3.9, df: 1 });
    expect(legendX(left)).toBeLessThan(legendX(right));
  });
});

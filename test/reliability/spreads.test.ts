/** Issue 18, case 6: no data-sized array is spread into arguments (Math.min(...a) overflows from ~120,000). */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { maxOf, minOf } from "../../src/util/extremes.js";
import { scratchDir, spruce } from "./support.js";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|tsx|js)$/.test(name) ? [path] : [];
  });
}

/** 130,000 rows of y ~ x + (1|g), 500 groups. */
function bigCsv(): string {
  const lines = ["y,x,g"];
  let s = 12345;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  for (let i = 0; i < 130_000; i++) {
    const x = rand();
    lines.push(`${(1 + 2 * x + ((i % 500) % 7) * 0.3 + rand()).toFixed(5)},${x.toFixed(5)},g${i % 500}`);
  }
  const dir = scratchDir();
  const path = join(dir, "big.csv");
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

describe("6. no spread of a data-sized array", () => {
  it("src/ and web/ spread no array into Math.min/Math.max (use minOf/maxOf)", () => {
    const offenders: string[] = [];
    for (const file of [...sources("src"), ...sources("web/src")]) {
      const text = readFileSync(file, "utf8");
      text.split("\n").forEach((line, i) => {
        if (/^\s*(\*|\/\/)/.test(line)) return;
        if (/Math\.(min|max)\([^)]*\.\.\./.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it("minOf/maxOf take 1,000,000 values", () => {
    const a = Float64Array.from({ length: 1_000_000 }, (_, i) => Math.sin(i));
    expect(maxOf(a)).toBeCloseTo(1, 6);
    expect(minOf(a)).toBeCloseTo(-1, 6);
    expect(maxOf([])).toBe(Number.NEGATIVE_INFINITY);
  });

  it("fit --diagnostics and plot on 130,000 rows (were: RangeError, exit 70)", () => {
    const csv = bigCsv();
    const diag = spruce(["fit", csv, "y ~ x + (1|g)", "--diagnostics"], 120_000);
    expect(diag.stderr).not.toMatch(/internal error|RangeError/);
    expect(diag.status).toBe(0);
    expect(diag.stdout).toMatch(/leverage \(hat values\): min [\d.]+, max [\d.]+/);
    expect(diag.stdout).toMatch(/and \d+ more \(--json lists every distance\)/);
    const out = join(scratchDir(), "plots");
    const plot = spruce(["plot", csv, "y ~ x + (1|g)", "--out", out], 120_000);
    expect(plot.stderr).not.toMatch(/internal error|RangeError/);
    expect(plot.status).toBe(0);
    expect(plot.stdout.trim().split("\n")).toHaveLength(5);
  });
});

/**
 * Scaling bench (issue 15, items 2 and 5): how the cost of a fit grows with the data, and what the design build
 * costs beside the fit.
 *
 * 1. Synthetic crossed (`y ~ x + (1|a) + (1|b)`) and nested (`y ~ x + (1|school/class)`) designs, seeded, from
 *    n = 10³ to 10⁵ rows (10⁶ with SPRUCE_BENCH_LARGE=1); the big factor (a, class) has n/10 levels (10² … 10⁵),
 *    the small one (b, school) a few dozen to a few hundred (its block is factored densely); and nested with many
 *    schools too (n/20), whose trailing block of that order stays on the sparse factor's pattern.
 * 2. The reference models: Hsb82 (`mAch ~ ses*sector + (ses|school)`), mlmRev's star (students crossed with
 *    teachers within schools), InstEval ML and its three-factor REML model (test/fixtures/perf, scale).
 *
 * Each case runs in a fresh process (bench/scaling-child.mjs, plain Node on dist/): data in memory, then fits
 * (one warm-up and the median of 5 for the smaller cases, fewer for the large ones), printing the design build
 * and the whole fit (fitMixed: design, engine, optimisation, results), the peak resident memory of the process
 * and the memory once the data were in. lme4 is timed on the reference models in the same run, alternating with
 * spruce (Rscript with lme4; SPRUCE_BENCH_LME4=0 skips it; InstEval's lme4 fits, ~8 s each, only with
 * SPRUCE_BENCH_LARGE=1). The machine may be shared: the load average is printed beside each comparison.
 *
 * Run alone: `npm run build && npx tsx bench/scaling.bench.ts`.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const large = process.env.SPRUCE_BENCH_LARGE === "1";
const withLme4 = process.env.SPRUCE_BENCH_LME4 !== "0";
/** A case that takes longer than this is reported as too slow rather than waited for. */
const TIMEOUT_MS = 600_000;

interface CaseSpec {
  label: string;
  formula: string;
  REML: boolean;
  reps: number;
  /** A CSV file under the repository, or a synthetic design. */
  csv?: string;
  design?: "crossed" | "nested";
  n?: number;
  big?: number;
  small?: number;
  seed?: number;
}

interface ChildResult {
  design: number[];
  fit: number[];
  fitCpu: number[];
  maxRssFirstMb: number;
  p: number;
  levels: number[];
  evaluations: number;
  converged: boolean;
  objective: number;
  rssDataMb: number;
  maxRssMb: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

/** The timed repetitions: all but the warm-up when there is one. */
const timed = (xs: number[]) => (xs.length > 1 ? xs.slice(1) : xs);

function runChild(spec: CaseSpec): ChildResult | { error: string } {
  const r = spawnSync(process.execPath, [`${root}/bench/scaling-child.mjs`, JSON.stringify(spec)], {
    encoding: "utf8",
    timeout: TIMEOUT_MS,
    cwd: root,
    maxBuffer: 1 << 24,
  });
  if (r.error || r.signal)
    return { error: r.signal ? `stopped after ${TIMEOUT_MS / 1000} s` : String(r.error) };
  try {
    return JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as ChildResult;
  } catch {
    return { error: (r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ") };
  }
}

function haveLme4(): boolean {
  if (!withLme4) return false;
  const r = spawnSync("Rscript", ["-e", "cat(requireNamespace('lme4', quietly = TRUE))"], {
    encoding: "utf8",
  });
  return r.status === 0 && r.stdout.trim() === "TRUE";
}

function lme4Seconds(
  spec: CaseSpec,
  reps: number,
): { seconds: number[]; cpu: number[]; objective: number } | undefined {
  const r = spawnSync(
    "Rscript",
    [
      `${root}/bench/lme4-timing.R`,
      `${root}/${spec.csv}`,
      spec.formula,
      spec.REML ? "TRUE" : "FALSE",
      String(reps),
    ],
    { encoding: "utf8", timeout: TIMEOUT_MS },
  );
  try {
    return JSON.parse(r.stdout.trim().split("\n").pop() ?? "");
  } catch {
    return undefined;
  }
}

function syntheticCases(): CaseSpec[] {
  const sizes = large ? [1e3, 1e4, 1e5, 1e6] : [1e3, 1e4, 1e5];
  const out: CaseSpec[] = [];
  sizes.forEach((n, k) => {
    const reps = n >= 1e5 ? 2 : 6;
    out.push({
      label: "crossed",
      design: "crossed",
      n,
      big: n / 10,
      small: [50, 100, 200, 400][k] as number,
      seed: 15 + k,
      formula: "y ~ x + (1|a) + (1|b)",
      REML: true,
      reps,
    });
    out.push({
      label: "nested",
      design: "nested",
      n,
      big: n / 10,
      small: [20, 50, 100, 200][k] as number,
      seed: 150 + k,
      formula: "y ~ x + (1|school/class)",
      REML: true,
      reps,
    });
    // The schools many too (n/20: 5·10³ at n = 10⁵, 5·10⁴ at 10⁶): a trailing block of that order, diagonal in its
    // random rows, kept on the sparse factor's pattern (dense, order 50,003 would need 60 GiB).
    out.push({
      label: "nested, many schools",
      design: "nested",
      n,
      big: n / 10,
      small: n / 20,
      seed: 1500 + k,
      formula: "y ~ x + (1|school/class)",
      REML: true,
      reps,
    });
  });
  return out;
}

const REFERENCE: CaseSpec[] = [
  {
    label: "Hsb82",
    csv: "test/fixtures/perf/data/hsb82.csv",
    formula: "mAch ~ ses*sector + (ses|school)",
    REML: true,
    reps: 6,
  },
  {
    label: "star",
    csv: "test/fixtures/perf/data/star.csv",
    formula: "math ~ gr + cltype + sx + (1|id) + (1|tch) + (1|sch)",
    REML: true,
    reps: 4,
  },
  {
    label: "InstEval ML",
    csv: "test/fixtures/scale/data/insteval.csv",
    formula: "y ~ 1 + service*dept + (1|s) + (1|d)",
    REML: false,
    reps: 4,
  },
  {
    label: "InstEval 3-crossed REML",
    csv: "test/fixtures/scale/data/insteval.csv",
    formula: "y ~ 1 + service + (1|s) + (1|d) + (1|dept)",
    REML: true,
    reps: 3,
  },
];

function row(cells: string[], widths: number[]): string {
  return cells
    .map((c, i) => (i < 2 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
    .join("  ");
}

export async function run(): Promise<void> {
  console.log("\n=== scaling (design build and fit against the size of the data) ===");
  if (!existsSync(`${root}/dist/fit/fit.js`)) {
    console.log("  dist/ is not built: run `npm run build` first (npm run bench does)");
    return;
  }
  const widths = [8, 9, 12, 9, 10, 12, 6, 9, 9];
  console.log(
    `Synthetic designs (seeded), one fresh process each; ms are medians of the timed fits (after one warm-up when there are several); load ${load()}`,
  );
  console.log(
    row(
      ["design", "n", "levels", "design ms", "fit ms", "design/fit", "evals", "peak MB", "data MB"],
      widths,
    ),
  );
  for (const spec of syntheticCases()) {
    const r = runChild(spec);
    if ("error" in r) {
      console.log(row([spec.label, String(spec.n), "", "", r.error, "", "", "", ""], widths));
      continue;
    }
    const d = median(timed(r.design));
    const f = median(timed(r.fit));
    console.log(
      row(
        [
          spec.label,
          (spec.n as number).toExponential(0),
          r.levels.join("×"),
          ms(d),
          ms(f),
          (d / f).toFixed(3),
          `${r.evaluations}${r.converged ? "" : "!"}`,
          r.maxRssFirstMb.toFixed(0),
          r.rssDataMb.toFixed(0),
        ],
        widths,
      ),
    );
  }

  const lme4 = haveLme4();
  console.log(
    `\nReference models: spruce (fresh process, data in memory, warm-up + median) ${lme4 ? "alternating with lme4 (Rscript, read.csv then lmer; warm-up + median)" : "(lme4 not timed: Rscript with lme4 unavailable or SPRUCE_BENCH_LME4=0)"}`,
  );
  for (const spec of REFERENCE) {
    const before = load();
    const r = runChild(spec);
    if ("error" in r) {
      console.log(`  ${spec.label}: ${r.error}`);
      continue;
    }
    const d = median(timed(r.design));
    const f = median(timed(r.fit));
    const rest = f - d;
    let versus = "";
    const instEval = spec.label.startsWith("InstEval");
    if (lme4 && (!instEval || large)) {
      const l = lme4Seconds(spec, instEval ? 2 : 5);
      if (l) {
        const lm = median(l.seconds) * 1000;
        const lc = median(l.cpu) * 1000;
        const fc = median(timed(r.fitCpu));
        versus = `; lme4 ${ms(lm)} ms, CPU ${ms(lc)} ms (objective ${l.objective.toFixed(4)}): spruce/lme4 ${(lm / f).toFixed(1)}× by wall time, ${(lc / fc).toFixed(1)}× by CPU time (spruce CPU ${ms(fc)} ms)`;
      }
    }
    console.log(
      `  ${spec.label} (p = ${r.p}, levels ${r.levels.join(", ")}): fit ${ms(f)} ms = design ${ms(d)} ms + engine, optimisation and results ${ms(rest)} ms (design ${d < rest ? "<" : "≥"} the rest), ${r.evaluations} evaluations${r.converged ? "" : " (not converged)"}, objective ${r.objective.toFixed(4)}; peak ${r.maxRssFirstMb.toFixed(0)} MB after one fit, ${r.maxRssMb.toFixed(0)} MB after all (data in memory ${r.rssDataMb.toFixed(0)} MB)${versus}; load ${before} → ${load()}`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();

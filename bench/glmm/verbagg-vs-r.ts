/**
 * VerbAgg timed beside lme4 and glmmTMB in the same run (issue 12's speed goal: ≥ 20× lme4 and faster than
 * glmmTMB, fit only, data in memory). The rounds alternate — spruce, then R (bench/glmm/r-verbagg.R: one warm-up
 * fit of each package, then `reps` timed fits), then spruce again — so that both see the same load on a shared
 * machine. Wall and CPU times are both reported: under contention wall time inflates with the load, CPU time
 * much less. R is optional: without `Rscript` (or with SPRUCE_BENCH_R=0) only spruce is timed.
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import type { DataFrame } from "../../src/frame/frame.js";
import { fitGlmm } from "../../src/glmm/fit.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

interface Times {
  wall: number[];
  cpu: number[];
}

interface RResult {
  lme4?: Times;
  glmmTMB?: Times;
  lme4LogLik?: number;
  glmmTMBLogLik?: number;
  lme4Version?: string;
  glmmTMBVersion?: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? (s[h] as number) : ((s[h - 1] as number) + (s[h] as number)) / 2;
}

function rTimings(reps: number): RResult | string {
  if (process.env.SPRUCE_BENCH_R === "0") return "skipped (SPRUCE_BENCH_R=0)";
  const r = spawnSync("Rscript", ["bench/glmm/r-verbagg.R", String(reps)], {
    cwd: root,
    encoding: "utf8",
    timeout: 15 * 60 * 1000,
  });
  if (r.error) return `Rscript not run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`;
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as RResult;
  } catch {
    return `Rscript failed: ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" | ")}`;
  }
}

async function timeSpruce(formula: string, data: DataFrame, runs: number, into: Times): Promise<number> {
  let logLik = 0;
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const m = await fitGlmm(formula, data, { family: "binomial" });
    into.wall.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    into.cpu.push((c.user + c.system) / 1e6);
    logLik = m.logLik();
  }
  return logLik;
}

/** Times VerbAgg with spruce around one R run and prints the table with the ratios. */
export async function verbaggBesideR(formula: string, data: DataFrame, lme4LogLik: number): Promise<void> {
  const runs = Number(process.env.SPRUCE_BENCH_GLMM_RUNS ?? 5);
  const reps = Number(process.env.SPRUCE_BENCH_R_REPS ?? 3);
  await fitGlmm(formula, data, { family: "binomial" }); // warm-up (JIT, wasm compilation)
  const spruce: Times = { wall: [], cpu: [] };
  const load0 = loadavg()[0] as number;
  let logLik = await timeSpruce(formula, data, runs, spruce);
  const r = rTimings(reps);
  logLik = await timeSpruce(formula, data, runs, spruce);
  const load1 = loadavg()[0] as number;
  const sw = median(spruce.wall);
  const sc = median(spruce.cpu);
  const rows: Record<string, string | number>[] = [
    {
      fit: "spruce",
      "median wall (s)": Number(sw.toFixed(3)),
      "median cpu (s)": Number(sc.toFixed(3)),
      runs: spruce.wall.length,
      "logLik − lme4 reference": Number((logLik - lme4LogLik).toExponential(2)),
    },
  ];
  const ratios: string[] = [];
  if (typeof r === "string") console.log(`\nVerbAgg: R not timed: ${r}`);
  else
    for (const [name, t, ll] of [
      [`lme4 ${r.lme4Version ?? ""}`, r.lme4, r.lme4LogLik],
      [`glmmTMB ${r.glmmTMBVersion ?? ""}`, r.glmmTMB, r.glmmTMBLogLik],
    ] as const) {
      if (!t) continue;
      const w = median(t.wall);
      const c = median(t.cpu);
      rows.push({
        fit: name.trim(),
        "median wall (s)": Number(w.toFixed(3)),
        "median cpu (s)": Number(c.toFixed(3)),
        runs: t.wall.length,
        "logLik − lme4 reference": ll === undefined ? "" : Number((ll - lme4LogLik).toExponential(2)),
      });
      ratios.push(`${name.trim()} / spruce: wall ${(w / sw).toFixed(1)}×, cpu ${(c / sc).toFixed(1)}×`);
    }
  console.log(
    `\nVerbAgg (r2 ~ Anger + Gender + btype + situ + (1|id) + (1|item), binomial, Laplace), fit only, data in memory;` +
      ` spruce timed before and after R in the same run (load average ${load0.toFixed(1)} → ${load1.toFixed(1)})`,
  );
  console.table(rows);
  for (const line of ratios) console.log(`  ${line}`);
}

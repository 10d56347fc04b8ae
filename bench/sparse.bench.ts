/**
 * The sparse trailing block (issue 15): mlmRev's `star` (24,611 rows; students crossed with teachers nested in
 * schools; `math ~ gr + cltype + sx + (1|id) + (1|tch) + (1|sch)`, REML), whose trailing block (1,462 rows after
 * the students are eliminated) is almost all zeros.
 *
 * Prints: the symbolic analysis (order, entries of the sparse factor, its flops against the dense n³/3, the
 * choice); one evaluation (objective; objective + gradient) on the sparse and the dense path at lme4's θ̂; and
 * whole fits (data in memory) with `fit()` beside lme4's, timed in the same run: rounds of lme4 (an Rscript
 * process, bench/sparse/lme4-star.R: one warm-up then timed fits) alternating with rounds of spruce, with the load
 * average. Without Rscript/lme4 the lme4 column says so.
 *
 * Run alone: `npx tsx bench/sparse.bench.ts` (`SPARSE_BENCH_ROUNDS`, default 2; `SPARSE_BENCH_REPS`, default 3).
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildDesign } from "../src/design/build.js";
import { designBuffers } from "../src/design/types.js";
import { buildBlockedLayout } from "../src/fit/blocked-layout.js";
import { fit } from "../src/fit/fit.js";
import { planSparseTrailing } from "../src/fit/sparse-trailing/plan.js";
import { createWasmEngine } from "../src/fit/wasm-engine.js";
import { readCsv } from "../src/frame/index.js";
import { loadKernels } from "../src/wasm/load.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const STAR_CSV = join(root, "test", "fixtures", "perf", "data", "star.csv");
const FORMULA = "math ~ gr + cltype + sx + (1|id) + (1|tch) + (1|sch)";
const THETA_HAT = [1.6146244, 0.8641525, 0.6996407];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

function timeMs(fn: () => void, reps: number): number {
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

/** lme4's fit times (elapsed and CPU seconds) from one Rscript process, or the reason there are none. */
function lme4Times(reps: number): { seconds: number[]; cpuSeconds: number[] } | string {
  const r = spawnSync("Rscript", [join("bench", "sparse", "lme4-star.R"), String(reps)], {
    cwd: root,
    encoding: "utf8",
    timeout: 600_000,
  });
  if (r.error) return `Rscript not available (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`;
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as { seconds: number[]; cpuSeconds: number[] };
  } catch {
    return `lme4 failed: ${r.stderr.trim().split("\n").slice(-2).join(" | ")}`;
  }
}

export async function run(): Promise<void> {
  const frame = readCsv(STAR_CSV);
  const buffers = designBuffers(buildDesign(FORMULA, frame));
  const layout = buildBlockedLayout(buffers);
  const t0 = performance.now();
  const kernels = await loadKernels();
  const plan = planSparseTrailing(kernels, layout, "auto");
  const planMs = performance.now() - t0;
  const forced = plan ?? planSparseTrailing(kernels, layout, "sparse")!;
  console.log("\nSparse trailing block: mlmRev star, REML (issue 15)");
  console.table([
    {
      "trailing order": layout.nd,
      "random rows": layout.qRest,
      "entries of L": forced.nnz,
      "dense lower entries": (layout.nd * (layout.nd + 1)) / 2,
      "sparse flops": forced.flops,
      "dense flops (n³/3)": Math.round(layout.nd ** 3 / 3),
      choice: plan ? "sparse" : "dense",
      "symbolic analysis (ms)": Number(planMs.toFixed(1)),
    },
  ]);

  const theta = Float64Array.from(THETA_HAT);
  const rows = [];
  for (const trailing of ["sparse", "dense"] as const) {
    const engine = createWasmEngine(kernels, buffers, { trailing });
    const g = new Float64Array(engine.nTheta);
    let flip = 0;
    // alternate θ slightly so that no call reuses the factor of the one before
    const next = () => {
      flip ^= 1;
      theta[0] = THETA_HAT[0]! + 1e-9 * flip;
      return theta;
    };
    const reps = trailing === "sparse" ? 20 : 3;
    engine.objective(next(), true);
    const obj = timeMs(() => engine.objective(next(), true), reps);
    const grad = timeMs(() => engine.gradient(next(), true, g), reps);
    rows.push({
      path: trailing,
      "objective (ms)": Number(obj.toFixed(2)),
      "objective + gradient (ms)": Number(grad.toFixed(2)),
      "REML criterion at θ̂": engine.objective(Float64Array.from(THETA_HAT), true),
    });
    engine.dispose();
  }
  console.log(`One evaluation at lme4's θ̂ (median; load ${load()})`);
  console.table(rows);

  const rounds = Number(process.env.SPARSE_BENCH_ROUNDS ?? 2);
  const reps = Number(process.env.SPARSE_BENCH_REPS ?? 3);
  await fit(FORMULA, frame, { REML: true }); // warm-up, as lme4's
  const spruce: number[] = [];
  const spruceCpu: number[] = [];
  const lme4: number[] = [];
  const lme4Cpu: number[] = [];
  let lme4Note = "";
  const loads: string[] = [load()];
  for (let r = 0; r < rounds; r++) {
    const l = lme4Times(reps);
    if (typeof l === "string") lme4Note = l;
    else {
      lme4.push(...l.seconds.map((s) => s * 1000));
      lme4Cpu.push(...l.cpuSeconds.map((s) => s * 1000));
    }
    for (let k = 0; k < reps; k++) {
      const t = performance.now();
      const c = process.cpuUsage();
      await fit(FORMULA, frame, { REML: true });
      const dc = process.cpuUsage(c);
      spruce.push(performance.now() - t);
      spruceCpu.push((dc.user + dc.system) / 1000);
    }
    loads.push(load());
  }
  const s = median(spruce);
  const l = lme4.length ? median(lme4) : Number.NaN;
  console.log(
    `Whole fit, data in memory, ${rounds} alternating rounds of ${reps} (load averages: ${loads.join(" → ")})`,
  );
  const sc = median(spruceCpu);
  const lc = lme4Cpu.length ? median(lme4Cpu) : Number.NaN;
  const row = (what: string, sv: number, all: number[], lv: number, lall: number[]) => ({
    measure: what,
    "spruce median (ms)": Math.round(sv),
    "spruce runs (ms)": all.map((x) => Math.round(x)).join(" "),
    "lme4 median (ms)": lme4.length ? Math.round(lv) : lme4Note,
    "lme4 runs (ms)": lall.map((x) => Math.round(x)).join(" "),
    "lme4 / spruce": lme4.length ? Number((lv / sv).toFixed(1)) : "",
  });
  console.table([row("elapsed", s, spruce, l, lme4), row("CPU (user + system)", sc, spruceCpu, lc, lme4Cpu)]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await run();

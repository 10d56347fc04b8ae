/**
 * Scale benchmark (issue 7): InstEval, 73,421 ratings, students `s` (2,972) crossed with lecturers `d` (1,128).
 *
 * For each reference model: CSV load, model set-up (design + engine), time per evaluation (objective, and
 * objective + gradient), evaluations and total fit time, and peak memory of a whole fit (CSV → fit) measured in a
 * child process by /usr/bin/time -v (else the child's own process.memoryUsage().rss high-water mark). Also the
 * dense kernels at the size of InstEval's filled-in lecturer block: 1128×1128 Cholesky (GFlop/s, n³/3 flops)
 * against a plain triple loop, and the inverse pieces the gradient needs.
 *
 * Goals (issue 7): service*dept ML fit ≤ 1.5 s and ≤ 300 MB peak; three-factor REML fit ≤ 3 s.
 * Parts that do not exist yet print "not available yet" instead of failing.
 *
 * Run alone: `npx tsx bench/scale.bench.ts`; the child mode is `--scale-child <model id>`.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Bench } from "tinybench";
import { instevalCsv, loadScaleFixture, type ScaleId, scaleIds } from "../test/scale/insteval-design.js";

const thisFile = fileURLToPath(import.meta.url);
/** A fit that takes longer than this is reported as too slow rather than waited for. */
const FIT_TIMEOUT_MS = 180_000;

// biome-ignore lint/suspicious/noExplicitAny: modules that may not exist yet are loaded untyped
type AnyModule = Record<string, any>;

/** Import a project module, or undefined while it does not exist (so the bench degrades gracefully). */
async function optional(specifier: string): Promise<AnyModule | undefined> {
  try {
    return (await import(specifier)) as AnyModule;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") return undefined;
    throw error;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Median wall and CPU (user + system of this process) milliseconds of `reps` calls. */
function timeMs(fn: () => void, reps: number): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

/** "wall ms (CPU ms)": the machine is shared, so CPU time is the steadier figure. */
const both = (t: { wall: number; cpu: number }) => `${fmt(t.wall)} ms (CPU ${fmt(t.cpu)} ms)`;

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

/** The fit function of the public API: `fit(formula, data, { REML })`, else build + engine + fitDesign. */
async function publicFit(): Promise<
  ((formula: string, data: unknown, opts: { REML: boolean }) => Promise<AnyModule>) | undefined
> {
  const fitMod = await optional("../src/fit/fit.js");
  if (fitMod?.fit) return fitMod.fit;
  const build = await optional("../src/design/build.js");
  const engineMod = await optional("../src/fit/wasm-engine.js");
  const types = await optional("../src/design/types.js");
  if (!fitMod?.fitDesign || !build?.buildDesign || !engineMod?.createEngine || !types) return undefined;
  return async (formula, data, opts) => {
    const design = build.buildDesign(formula, data);
    return fitMod.fitDesign(design, await engineMod.createEngine(types.designBuffers(design)), opts);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Dense kernels at n = 1128.

function spdMatrix(n: number): Float64Array {
  // I·n + a smooth symmetric part: SPD, cheap to build, no O(n³) product.
  const a = new Float64Array(n * n);
  for (let j = 0; j < n; j++)
    for (let i = j; i < n; i++) {
      const v = i === j ? n : Math.cos(0.37 * i + 0.11 * j) / (1 + Math.abs(i - j));
      a[i + j * n] = v;
      a[j + i * n] = v;
    }
  return a;
}

function naiveCholesky(a: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    let d = a[j + j * n] as number;
    for (let p = 0; p < j; p++) d -= (a[j + p * n] as number) ** 2;
    d = Math.sqrt(d);
    a[j + j * n] = d;
    for (let i = j + 1; i < n; i++) {
      let s = a[i + j * n] as number;
      for (let p = 0; p < j; p++) s -= (a[i + p * n] as number) * (a[j + p * n] as number);
      a[i + j * n] = s / d;
    }
  }
}

async function benchDenseKernels(): Promise<void> {
  const load = await optional("../src/wasm/load.js");
  if (!load) {
    console.log("dense kernels: not available yet");
    return;
  }
  const k = await load.loadKernels();
  if (typeof k.denseCholesky !== "function") {
    console.log("dense kernels: not available yet (build/spruce.wasm has no denseCholesky)");
    return;
  }
  const n = 1128;
  const a = spdMatrix(n);
  const ptr: number = k.alloc(n * n * 8);
  const view = () => new Float64Array(k.memory.buffer, ptr, n * n);
  const bench = new Bench({ time: 1500, warmupTime: 200 });
  bench
    .add("denseCholesky 1128", () => k.denseCholesky(ptr, n, n), { beforeEach: () => view().set(a) })
    .add("denseLowerInverse 1128", () => k.denseLowerInverse(ptr, n, n), {
      beforeEach: () => {
        view().set(a);
        k.denseCholesky(ptr, n, n);
      },
    })
    .add("denseLowerInvTransMul 1128", () => k.denseLowerInvTransMul(ptr, n, n), {
      beforeEach: () => {
        view().set(a);
        k.denseCholesky(ptr, n, n);
        k.denseLowerInverse(ptr, n, n);
      },
    });
  await bench.run();
  console.log("\nDense kernels at InstEval's lecturer block (n = 1128), tinybench, ms:");
  console.table(bench.table());
  const flops = n ** 3 / 3;
  for (const task of bench.tasks) {
    const p50 = (task.result as { latency?: { p50?: number } }).latency?.p50;
    if (p50)
      console.log(`  ${task.name}: median ${fmt(p50)} ms, ${(flops / p50 / 1e6).toFixed(2)} GFlop/s (n³/3)`);
  }
  // CPU time of the same kernels (median of 7), steadier than wall time on a shared machine.
  const runs = (prep: () => void, fn: () => void) => {
    const xs: number[] = [];
    for (let r = 0; r < 7; r++) {
      prep();
      const c0 = process.cpuUsage();
      fn();
      const c = process.cpuUsage(c0);
      xs.push((c.user + c.system) / 1000);
    }
    return median(xs);
  };
  const cholCpu = runs(
    () => view().set(a),
    () => k.denseCholesky(ptr, n, n),
  );
  const invCpu = runs(
    () => {
      view().set(a);
      k.denseCholesky(ptr, n, n);
    },
    () => k.denseLowerInverse(ptr, n, n),
  );
  const lauumCpu = runs(
    () => {
      view().set(a);
      k.denseCholesky(ptr, n, n);
      k.denseLowerInverse(ptr, n, n);
    },
    () => k.denseLowerInvTransMul(ptr, n, n),
  );
  for (const [name, ms] of [
    ["denseCholesky", cholCpu],
    ["denseLowerInverse", invCpu],
    ["denseLowerInvTransMul", lauumCpu],
  ] as const)
    console.log(
      `  ${name} 1128: CPU median ${fmt(ms)} ms, ${(flops / ms / 1e6).toFixed(2)} GFlop/s (CPU time)`,
    );
  const copy = a.slice();
  const c0 = process.cpuUsage();
  naiveCholesky(copy, n);
  const c = process.cpuUsage(c0);
  const naive = (c.user + c.system) / 1000;
  console.log(
    `  naive JS triple-loop Cholesky: CPU ${fmt(naive)} ms, ${(flops / naive / 1e6).toFixed(2)} GFlop/s (${(naive / cholCpu).toFixed(0)}× slower)`,
  );
  k.free(ptr);
}

// ---------------------------------------------------------------------------------------------------------------
// InstEval models.

interface ChildReport {
  csvMs: number;
  fitMs: number;
  /** The phases of fitMs (the dist child only). */
  designMs?: number;
  engineMs?: number;
  optimizeMs?: number;
  evaluations: number;
  gradientEvaluations?: number;
  converged: boolean;
  objective: number;
  rssPeakMb: number;
}

/** Child mode: CSV → fit, print one JSON line. Peak RSS is sampled between the phases (the fit is synchronous). */
async function child(id: ScaleId): Promise<void> {
  let peak = process.memoryUsage().rss;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const frameMod = await optional("../src/frame/index.js");
  const fitModel = await publicFit();
  if (!frameMod || !fitModel) {
    console.log(JSON.stringify({ error: "not available yet" }));
    return;
  }
  const fx = loadScaleFixture(id);
  const t0 = performance.now();
  const frame = frameMod.readCsv(instevalCsv);
  const csvMs = performance.now() - t0;
  sample();
  const t1 = performance.now();
  const model = await fitModel(fx.formula, frame, { REML: fx.REML });
  const fitMs = performance.now() - t1;
  sample();
  const report: ChildReport = {
    csvMs,
    fitMs,
    evaluations: model.optimizer?.evaluations ?? Number.NaN,
    converged: model.optimizer?.converged ?? false,
    objective: model.objective,
    rssPeakMb: peak / 2 ** 20,
  };
  console.log(JSON.stringify(report));
}

/**
 * The child as plain Node on the compiled dist/ (what users run; `npm run bench` builds it first), so the memory
 * figure holds no TypeScript loader. Same output as `child`, plus the phases of the fit: design (formula → design
 * matrices), engine (kernels warmed up, layout, sufficient statistics) and the optimisation with the final solve.
 */
const DIST_CHILD = `
const [id, root] = process.argv.slice(-2);
const { readFileSync } = await import("node:fs");
const imp = (p) => import(root + "/dist/" + p);
const [frameMod, build, types, fitMod, engineMod] = await Promise.all([
  imp("frame/index.js"), imp("design/build.js"), imp("design/types.js"), imp("fit/fit.js"), imp("fit/wasm-engine.js"),
]);
const fx = JSON.parse(readFileSync(root + "/test/fixtures/scale/" + id + ".json", "utf8"));
let peak = process.memoryUsage().rss;
const t0 = performance.now();
const frame = frameMod.readCsv(root + "/test/fixtures/scale/data/insteval.csv");
const csvMs = performance.now() - t0;
peak = Math.max(peak, process.memoryUsage().rss);
const t1 = performance.now();
const design = build.buildDesign(fx.formula, frame);
const t2 = performance.now();
const engine = await engineMod.createEngine(types.designBuffers(design));
const t3 = performance.now();
const model = fitMod.fitDesign(design, engine, { REML: fx.REML });
const t4 = performance.now();
peak = Math.max(peak, process.memoryUsage().rss);
console.log(JSON.stringify({ csvMs, fitMs: t4 - t1, designMs: t2 - t1, engineMs: t3 - t2, optimizeMs: t4 - t3,
  evaluations: model.optimizer.evaluations, gradientEvaluations: model.optimizer.gradientEvaluations,
  converged: model.optimizer.converged, objective: model.objective, rssPeakMb: peak / 2 ** 20 }));
`;

interface ChildResult {
  report?: ChildReport;
  maxRssMb?: number;
  cpuS?: number;
  how?: string;
  error?: string;
}

/** Run a whole fit (CSV → model) in a fresh process under /usr/bin/time -v: honest peak memory and CPU time. */
function fitInChild(id: ScaleId): ChildResult {
  const root = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
  const useDist = existsSync(`${root}/dist/fit/fit.js`) && existsSync(`${root}/dist/frame/index.js`);
  const tsx = `${root}/node_modules/.bin/tsx`;
  const childArgs = useDist
    ? [process.execPath, "--input-type=module", "-e", DIST_CHILD, "--", id, root]
    : [tsx, thisFile, "--scale-child", id];
  const haveTime = existsSync("/usr/bin/time");
  const [cmd, ...args] = haveTime ? ["/usr/bin/time", "-v", ...childArgs] : childArgs;
  const r = spawnSync(cmd as string, args, { encoding: "utf8", timeout: FIT_TIMEOUT_MS, cwd: root });
  if (r.error || r.signal)
    return { error: r.signal ? `killed after ${FIT_TIMEOUT_MS / 1000} s` : String(r.error) };
  const line = r.stdout.trim().split("\n").pop() ?? "";
  let parsed: ChildReport | { error: string };
  try {
    parsed = JSON.parse(line);
  } catch {
    return { error: `child failed: ${(r.stderr || r.stdout).trim().split("\n").slice(-5).join(" | ")}` };
  }
  if ("error" in parsed) return { error: parsed.error };
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(r.stderr);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(r.stderr);
  return {
    report: parsed,
    how: useDist ? "node on dist/" : "tsx",
    ...(rss ? { maxRssMb: Number(rss[1]) / 1024 } : {}),
    ...(user && sys ? { cpuS: Number(user[1]) + Number(sys[1]) } : {}),
  };
}

async function benchModel(id: ScaleId): Promise<void> {
  const fx = loadScaleFixture(id);
  console.log(`\n${id}: ${fx.formula} (${fx.REML ? "REML" : "ML"}; lme4 ${fx.lme4Seconds} s)`);
  const frameMod = await optional("../src/frame/index.js");
  const build = await optional("../src/design/build.js");
  const types = await optional("../src/design/types.js");
  const engineMod = await optional("../src/fit/wasm-engine.js");
  if (!frameMod?.readCsv) {
    console.log("  CSV load: not available yet");
    return;
  }
  let frame: unknown;
  const csvMs = timeMs(() => {
    frame = frameMod.readCsv(instevalCsv);
  }, 3);
  console.log(`  CSV load (readCsv, median of 3): ${both(csvMs)}`);
  if (!build?.buildDesign || !engineMod?.createEngine || !types) {
    console.log("  model set-up / evaluations: not available yet");
    return;
  }
  const t0 = performance.now();
  const design = build.buildDesign(fx.formula, frame);
  const t1 = performance.now();
  const engine = await engineMod.createEngine(types.designBuffers(design));
  const t2 = performance.now();
  console.log(
    `  model set-up (wall): design ${fmt(t1 - t0)} ms + engine ${fmt(t2 - t1)} ms = ${fmt(t2 - t0)} ms (p = ${design.fixedNames.length}, q = ${design.terms.reduce((s: number, t: { levels: string[] }) => s + t.levels.length, 0)})`,
  );
  const theta = Float64Array.from(fx.theta);
  const grad = new Float64Array(theta.length);
  // A new θ for every call (a relative nudge of 1e-12): the engine reuses its factor when asked twice at one θ.
  let calls = 0;
  const next = () => {
    theta[0] = (fx.theta[0] as number) * (1 + 1e-12 * ++calls);
    return theta;
  };
  const objMs = timeMs(() => engine.objective(next(), fx.REML), 5);
  const gradMs = timeMs(() => engine.gradient(next(), fx.REML, grad), 5);
  console.log(
    `  per evaluation at lme4's θ (median of 5, each at a new θ): objective ${both(objMs)}, objective+gradient ${both(gradMs)}`,
  );
  engine.dispose();

  // Three fresh processes (a one-shot fit includes compiling and warming the kernels): the median by fit time.
  const children = [fitInChild(id), fitInChild(id), fitInChild(id)];
  const failed = children.find((c) => c.error);
  if (failed) {
    console.log(`  fit: ${failed.error === "not available yet" ? "not available yet" : failed.error}`);
    return;
  }
  children.sort((a, b) => (a.report as ChildReport).fitMs - (b.report as ChildReport).fitMs);
  const child = children[1] as ChildResult;
  const r = child.report as ChildReport;
  const rss = Math.max(...children.map((c) => c.maxRssMb ?? (c.report as ChildReport).rssPeakMb));
  const goal = id === "insteval_ml" ? "goal ≤ 1500 ms, ≤ 300 MB" : "goal ≤ 3000 ms";
  const evals =
    r.gradientEvaluations !== undefined
      ? `${r.evaluations} evaluations (${r.gradientEvaluations} with the gradient)`
      : `${r.evaluations} evaluations`;
  console.log(
    `  fit (fresh process, ${child.how}, median of 3: ${children.map((c) => fmt((c.report as ChildReport).fitMs)).join(", ")} ms): ${fmt(r.fitMs)} ms wall, ${evals}, converged ${r.converged}, objective ${r.objective.toFixed(4)} (lme4 ${fx.objective.toFixed(4)}); ${goal}`,
  );
  if (r.designMs !== undefined && r.engineMs !== undefined && r.optimizeMs !== undefined)
    console.log(
      `    of which design ${fmt(r.designMs)} ms, engine (kernels warmed up, statistics) ${fmt(r.engineMs)} ms, optimisation and solution ${fmt(r.optimizeMs)} ms`,
    );
  console.log(
    `  whole child process (node start + CSV + design + fit): ${child.cpuS !== undefined ? `${child.cpuS.toFixed(2)} s CPU, ` : ""}peak memory ${rss.toFixed(0)} MB (largest of the 3; ${child.maxRssMb !== undefined ? "/usr/bin/time -v" : "process.memoryUsage().rss"}); CSV load in that process ${fmt(r.csvMs)} ms`,
  );
}

export async function run(): Promise<void> {
  console.log("\n=== scale (InstEval) ===");
  await benchDenseKernels();
  for (const id of scaleIds) await benchModel(id);
}

const childAt = process.argv.indexOf("--scale-child");
if (childAt >= 0) await child(process.argv[childAt + 1] as ScaleId);
else if (process.argv[1] === thisFile) await run();

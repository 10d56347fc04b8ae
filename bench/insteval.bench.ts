/**
 * InstEval beside lme4 in the same run (issue 15): the ML model `y ~ 1 + service*dept + (1|s) + (1|d)` and the
 * three-factor REML model `y ~ 1 + service + (1|s) + (1|d) + (1|dept)`, 73,421 rows, each fitted by spruce's
 * fit() on a parsed frame and by lme4's lmer on a data frame in R's memory (bench/lme4/insteval-timing.R, one
 * long-lived Rscript), alternating lme4 and spruce fit by fit so that both see the same load. One warm-up fit of
 * each first, then SPRUCE_BENCH_REPS rounds (default 5); medians of wall and CPU time, the ratios lme4/spruce, the
 * evaluations spruce used and the load average before and after. Without Rscript (or lme4) only spruce is timed.
 *
 * The machine may be shared: CPU times are the steadier figure, and the load average says how busy it was.
 * Run alone: `npx tsx bench/insteval.bench.ts` (SPRUCE_BENCH_MODELS=insteval_ml to time one model).
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { createInterface, type Interface } from "node:readline";
import { fileURLToPath } from "node:url";
import { fit } from "../src/fit/fit.js";
import type { LinearMixedModel } from "../src/fit/model.js";
import { readCsv } from "../src/frame/index.js";
import { instevalCsv, loadScaleFixture, type ScaleId, scaleIds } from "../test/scale/insteval-design.js";

const thisFile = fileURLToPath(import.meta.url);
const rScript = fileURLToPath(new URL("./lme4/insteval-timing.R", import.meta.url));

interface Timing {
  wallMs: number;
  cpuMs: number;
  objective: number;
}

interface Lme4Reply {
  id: string;
  seconds?: number;
  cpuSeconds?: number;
  objective?: number;
  lme4?: string;
  error?: string;
}

/** A long-lived Rscript that fits one model per request (see bench/lme4/insteval-timing.R). */
class Lme4Session {
  private readonly lines: Interface;
  private readonly pending: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout });
    this.lines.on("line", (line) => this.pending.shift()?.resolve(line));
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    // R gone (an error in the script, killed): fail the waiting request instead of hanging the bench.
    child.on("exit", (code) => {
      for (const p of this.pending.splice(0))
        p.reject(new Error(`Rscript exited (${code}): ${stderr.trim().split("\n").slice(-3).join(" | ")}`));
    });
  }

  /** Starts R and waits for it to have read the data; undefined when Rscript or lme4 is missing. */
  static async start(): Promise<Lme4Session | undefined> {
    const probe = spawnSync("Rscript", ["-e", "cat(requireNamespace('lme4', quietly = TRUE))"], {
      encoding: "utf8",
    });
    if (probe.error || !probe.stdout.includes("TRUE")) return undefined;
    const session = new Lme4Session(spawn("Rscript", [rScript, instevalCsv]));
    const ready = await session.next().catch((e: Error) => {
      console.log(`  lme4: ${e.message}`);
      return "";
    });
    return ready === "ready" ? session : undefined;
  }

  private next(): Promise<string> {
    if (this.child.exitCode !== null) return Promise.reject(new Error("Rscript is not running"));
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }

  async fit(id: ScaleId): Promise<Timing> {
    const reply = this.next();
    this.child.stdin.write(`${id}\n`);
    const r = JSON.parse(await reply) as Lme4Reply;
    if (r.error || r.seconds === undefined) throw new Error(`lme4 (${id}): ${r.error ?? "no timing"}`);
    return {
      wallMs: r.seconds * 1000,
      cpuMs: (r.cpuSeconds ?? Number.NaN) * 1000,
      objective: r.objective ?? Number.NaN,
    };
  }

  close(): void {
    this.child.stdin.end();
    this.lines.close();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
const load = () =>
  loadavg()
    .map((v) => v.toFixed(2))
    .join(" ");

async function spruceFit(
  id: ScaleId,
  frame: ReturnType<typeof readCsv>,
): Promise<Timing & { model: LinearMixedModel }> {
  const fx = loadScaleFixture(id);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const model = (await fit(fx.formula, frame, { REML: fx.REML })) as LinearMixedModel;
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wallMs, cpuMs: (c.user + c.system) / 1000, objective: model.objective, model };
}

export async function run(): Promise<void> {
  const reps = Number(process.env.SPRUCE_BENCH_REPS ?? 5);
  const only = process.env.SPRUCE_BENCH_MODELS?.split(",");
  const ids = scaleIds.filter((id) => !only || only.includes(id));
  console.log(
    `\n=== InstEval: spruce beside lme4, same run (${reps} alternating rounds after a warm-up) ===`,
  );
  const frame = readCsv(instevalCsv);
  let r = await Lme4Session.start();
  if (!r) console.log("  lme4: Rscript with lme4 not found; timing spruce alone");
  // An lme4 failure (R gone) is reported once, and spruce is timed alone from then on.
  const lme4Fit = async (id: ScaleId): Promise<Timing | undefined> => {
    try {
      return await r?.fit(id);
    } catch (error) {
      console.log(`  lme4: ${(error as Error).message}; timing spruce alone from here`);
      r?.close();
      r = undefined;
      return undefined;
    }
  };
  try {
    for (const id of ids) {
      const fx = loadScaleFixture(id);
      const loadBefore = load();
      // Warm-up: the first fit of a process compiles and tiers up the kernels and the TypeScript.
      await spruceFit(id, frame);
      await lme4Fit(id);
      const spruce: Timing[] = [];
      const lme4: Timing[] = [];
      let last: LinearMixedModel | undefined;
      for (let k = 0; k < reps; k++) {
        const l = await lme4Fit(id);
        if (l) lme4.push(l);
        const s = await spruceFit(id, frame);
        spruce.push(s);
        last = s.model;
      }
      const sw = median(spruce.map((t) => t.wallMs));
      const sc = median(spruce.map((t) => t.cpuMs));
      const opt = last?.optimizer;
      console.log(
        `\n${id}: ${fx.formula} (${fx.REML ? "REML" : "ML"}); load average before ${loadBefore}, after ${load()}`,
      );
      console.log(
        `  spruce: median ${fmt(sw)} ms wall, ${fmt(sc)} ms CPU (wall ${spruce.map((t) => fmt(t.wallMs)).join(", ")}); ` +
          `${opt?.evaluations} evaluations (${opt?.gradientEvaluations} with the gradient); objective ${last?.objective.toFixed(4)} (fixture ${fx.objective.toFixed(4)})`,
      );
      if (lme4.length > 0) {
        const lw = median(lme4.map((t) => t.wallMs));
        const lc = median(lme4.map((t) => t.cpuMs));
        console.log(
          `  lme4:   median ${fmt(lw)} ms wall, ${fmt(lc)} ms CPU (wall ${lme4.map((t) => fmt(t.wallMs)).join(", ")}); objective ${(lme4[0] as Timing).objective.toFixed(4)}`,
        );
        console.log(
          `  ratio lme4/spruce: ${(lw / sw).toFixed(1)}× wall, ${(lc / sc).toFixed(1)}× CPU (must show ≥ 15×; goal ML ≤ 500 ms)`,
        );
      }
    }
  } finally {
    r?.close();
  }
}

if (process.argv[1] === thisFile) await run();

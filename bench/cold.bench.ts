/**
 * Cold start: `spruce boot` on the Sitka likelihood-ratio test, 1000 replicates, each run a fresh child process
 * (node dist/cli/bin.js …, the `spruce` executable, as a user runs it), on 1 and then 2 workers, alternating.
 * Prints per worker count the bootstrap time the command reports (`elapsedMs`: from the start of the bootstrap, after the data are read and
 * the models fitted), the process's wall time and CPU time, and the 1 → 2 speed-up (issue 15: ≥ 1.8×, and
 * ≤ 0.3 s on two workers, goal 0.2 s).
 *
 * A speed-up needs two free cores. On a shared machine each pair of runs waits (up to SPRUCE_COLD_QUIET_MS,
 * default 15 s) for a quiet moment: both cores ≥ 80% idle over a quarter of a second (/proc/stat, Linux only).
 * The report says how many pairs ran in quiet moments and the load average, so a figure measured under load is
 * never mistaken for one measured without. SPRUCE_BENCH_REPS pairs (default 7).
 *
 * Then the same bootstrap on a warm pool (./warm-pool-child.mjs: one process, both workers warmed by a first run,
 * one and two workers alternating): how this machine scales the replicates themselves from one core to two. The
 * cold speed-up can only approach that one; the gap between the two is what starting cold still costs.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { maxOf as highest, minOf as lowest } from "../src/util/extremes.js";

const NULL_MODEL = "size ~ time+I(time^2) + (time+I(time^2)|tree)";
const ALT_MODEL = "size ~ treat*(time+I(time^2)) + (time+I(time^2)|tree)";
const root = fileURLToPath(new URL("..", import.meta.url));

/** Busy and total jiffies of all CPUs (Linux), or null elsewhere. */
function cpuTicks(): { busy: number; total: number } | null {
  try {
    const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] as string).trim().split(/\s+/).slice(1);
    const v = fields.map(Number);
    const total = v.reduce((s, x) => s + x, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** Wait until the CPUs are ≥ 80% idle over 250 ms (true), or `maxMs` passed (false). */
async function quietMoment(maxMs: number): Promise<boolean> {
  const end = performance.now() + maxMs;
  for (;;) {
    const a = cpuTicks();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const b = cpuTicks();
    if (!a || !b) return false;
    const busy = (b.busy - a.busy) / Math.max(1, b.total - a.total);
    if (busy <= 0.2) return true;
    if (performance.now() > end) return false;
  }
}

interface Sample {
  bootMs: number;
  wallMs: number;
  cpuMs: number;
}

/** One cold `spruce boot` run; the child's CPU time (user + system) through /usr/bin/time where it exists. */
function coldRun(workers: number, seed: number): Sample {
  const args = [
    fileURLToPath(new URL("../dist/cli/bin.js", import.meta.url)),
    "boot",
    fileURLToPath(new URL("../examples/sitka.csv", import.meta.url)),
    NULL_MODEL,
    ALT_MODEL,
    "--nsim",
    "1000",
    "--seed",
    String(seed),
    "--workers",
    String(workers),
    "--json",
  ];
  const timed = existsSync("/usr/bin/time");
  const t0 = performance.now();
  const child = timed
    ? spawnSync("/usr/bin/time", ["-f", "CPU %U %S", process.execPath, ...args], {
        cwd: root,
        encoding: "utf8",
      })
    : spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
  const wallMs = performance.now() - t0;
  if (child.status !== 0) throw new Error(`spruce boot failed (${child.status}): ${child.stderr}`);
  const result = JSON.parse(child.stdout) as { elapsedMs: number; failures: { count: number } };
  if (result.failures.count > 0) throw new Error(`${result.failures.count} failed replicates`);
  const cpu = /CPU ([\d.]+) ([\d.]+)/.exec(child.stderr);
  const cpuMs = cpu ? 1000 * (Number(cpu[1]) + Number(cpu[2])) : Number.NaN;
  return { bootMs: result.elapsedMs, wallMs, cpuMs };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

export async function run(options: { pairs?: number } = {}): Promise<void> {
  const pairs = options.pairs ?? Number(process.env.SPRUCE_BENCH_REPS ?? 7);
  const quietMs = Number(process.env.SPRUCE_COLD_QUIET_MS ?? 15000);
  const samples: Record<1 | 2, Sample[]> = { 1: [], 2: [] };
  const loadBefore = loadavg()[0] as number;
  let quiet = 0;
  for (let k = 0; k < pairs; k++) {
    if (await quietMoment(quietMs)) quiet++;
    // Alternate which goes first, so a change of load hits both alike.
    const order: (1 | 2)[] = k % 2 === 0 ? [1, 2] : [2, 1];
    for (const workers of order) samples[workers].push(coldRun(workers, 1000 + k));
  }
  const loadAfter = loadavg()[0] as number;
  console.log(
    `\ncold start: spruce boot, Sitka LRT, 1000 replicates, a fresh process per run; ${pairs} pairs, ${quiet} in quiet moments; load average ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)}`,
  );
  console.table(
    ([1, 2] as const).map((w) => ({
      workers: w,
      "bootstrap median (ms)": Math.round(median(samples[w].map((s) => s.bootMs))),
      "bootstrap min (ms)": Math.round(lowest(samples[w].map((s) => s.bootMs))),
      "bootstrap max (ms)": Math.round(highest(samples[w].map((s) => s.bootMs))),
      "process wall median (ms)": Math.round(median(samples[w].map((s) => s.wallMs))),
      "process CPU median (ms)": Math.round(median(samples[w].map((s) => s.cpuMs))),
    })),
  );
  const one = median(samples[1].map((s) => s.bootMs));
  const two = median(samples[2].map((s) => s.bootMs));
  const ratios = samples[1].map((s, k) => s.bootMs / (samples[2][k] as Sample).bootMs);
  const [lo, hi] = medianInterval(ratios);
  console.log(
    `cold: speed-up 1 → 2 workers ${(one / two).toFixed(2)}× (medians; per pair ${lowest(ratios).toFixed(2)}–${highest(ratios).toFixed(2)}, their median ${median(ratios).toFixed(2)}×, 95% bootstrap interval ${lo.toFixed(2)}–${hi.toFixed(2)}; goal ≥ 1.8×); 2 workers ${(two / 1000).toFixed(3)} s (goal ≤ 0.3 s, 0.2 s)`,
  );
  const warm = warmPool(Math.max(3, pairs));
  if (warm)
    console.log(
      `warm pool, same session: 1 worker ${Math.round(median(warm.one))} ms, 2 workers ${Math.round(median(warm.two))} ms, speed-up ${(median(warm.one) / median(warm.two)).toFixed(2)}× (what the machine gives the replicates themselves)`,
    );
}

/**
 * A 95% percentile-bootstrap interval for the median of `xs` (2000 resamples, a fixed LCG so the same samples give
 * the same interval): on a shared machine the pairs scatter widely, and the interval says how far the median can be
 * trusted against the goal.
 */
function medianInterval(xs: number[]): [number, number] {
  let state = 12345;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const medians: number[] = [];
  for (let b = 0; b < 2000; b++)
    medians.push(
      median(Array.from({ length: xs.length }, () => xs[Math.floor(next() * xs.length)] as number)),
    );
  medians.sort((a, b) => a - b);
  return [medians[49] as number, medians[1949] as number];
}

/** One warm-pool child run (./warm-pool-child.mjs): each run's bootstrap time, per worker count; null if it failed. */
function warmPool(rounds: number): { one: number[]; two: number[] } | null {
  const child = spawnSync(
    process.execPath,
    [fileURLToPath(new URL("./warm-pool-child.mjs", import.meta.url)), String(rounds)],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  if (child.status !== 0) {
    console.log(`warm pool: the child failed (${child.status}): ${child.stderr.trim().split("\n").at(-1)}`);
    return null;
  }
  return JSON.parse(child.stdout.trim().split("\n").at(-1) as string) as { one: number[]; two: number[] };
}

if (import.meta.url === `file://${process.argv[1]}`) await run();

/**
 * Bootstrap workers started by the `spruce` entry (./bin.ts) before the rest of the command loads.
 *
 * Why: `spruce boot` spends ~100 ms loading its modules and ~50 ms reading the data and fitting Sitka's models
 * before the bootstrap starts, while a fresh worker needs ~40 ms to start and load and ~100-200 ms to warm up
 * (src/inference/warm-up-job.ts). Started when the boot command begins, the workers were still loading when the
 * replicates began; started first thing, they warm up while the command loads and fits. The boot command adopts
 * them (`adoptEarlyWorkers`); if it never does (an error, --help), they are idle workers of a pool, which do not
 * keep the process alive.
 */
import { defaultWorkerCount, nodeWorkerFactory } from "../parallel/node.js";
import { WorkerPool } from "../parallel/pool.js";
import { compileKernels } from "../wasm/load.js";

/** The command line's options that mean the bootstrap does not run on this process's LMM worker pool. */
const NOT_HERE = ["-h", "--help", "--shard", "--shards", "--out", "--family"];

/** The value of `--name N` or `--name=N`, if given. */
function optionValue(argv: readonly string[], name: string): string | undefined {
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k] as string;
    if (a === name) return argv[k + 1];
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  }
  return undefined;
}

/**
 * How many workers `spruce boot` with these arguments will use (as the command decides it: --workers, else every
 * core; capped at the cores unless --force-workers), or 0 when it is not a bootstrap on workers (or the arguments
 * are not valid: the command itself then says why).
 */
export function earlyWorkerCount(argv: readonly string[], cores: number): number {
  const args = argv.slice(2);
  if (args[0] !== "boot" || args.some((a) => NOT_HERE.some((o) => a === o || a.startsWith(`${o}=`))))
    return 0;
  const given = optionValue(args, "--workers");
  const asked = given === undefined ? cores : /^\s*\d+\s*$/.test(given) ? Number(given) : 0;
  if (!Number.isSafeInteger(asked)) return 0;
  return args.includes("--force-workers") ? asked : Math.min(asked, cores);
}

/** Handed from ./bin.ts to the boot command: one per process, taken once. */
const started: { pool?: WorkerPool } = {};

/** Start the workers a `spruce boot` command line will need (none for any other command). */
export async function startEarlyWorkers(argv: readonly string[]): Promise<void> {
  const count = earlyWorkerCount(argv, defaultWorkerCount());
  if (count === 0) return;
  try {
    const pool = new WorkerPool(nodeWorkerFactory());
    pool.prestart(count, await compileKernels());
    started.pool = pool;
  } catch {
    // Best effort: the command starts its workers itself (and reports any problem) if these could not start.
  }
}

/** The workers started ahead for this command, if any (taken: a second call returns undefined). */
export function adoptEarlyWorkers(): WorkerPool | undefined {
  const pool = started.pool;
  started.pool = undefined;
  return pool;
}

/**
 * The kernel team's helper thread (assembly/linalg/team.ts): a worker that instantiates the threads build of the
 * kernels (./shared-memory-build.ts) on the same shared memory as the fit's engine and runs its share of the
 * dense work. A fit with a large dense block starts one (src/fit/kernel-team-instance.ts), and the helper leaves
 * on its own once idle (LINGER_MS); the engine keeps the team's address, and without a serving helper the kernels
 * run on the calling thread alone, with the same results. stop() ends a helper at once (tests).
 *
 * Node only for now: in a browser the calling thread is often the page's main thread, which may not block, and
 * shared memory needs cross-origin isolation (the page runs the single-threaded build).
 */
import type { KernelExports } from "./contract.js";

/** Polls of the team's POSTED flag after a task, about a millisecond. */
const POLLS = 400_000;
/** The helper's sleep between checks once polling found nothing (ms). */
const SLEEP_MS = 0.5;
/**
 * How long a helper stays after its last task (ms): long enough for the next fit of a series (a benchmark, a
 * bootstrap of refits in this thread) to find it serving instead of starting another thread (30–40 ms), short
 * enough not to outlive a program's large fits by much.
 */
const LINGER_MS = 400;
/** Byte offset of the team block's DONE flag (assembly/linalg/team.ts), which the helper notifies after a task. */
const DONE_OFFSET = 64;

/** What the helper needs: the compiled threads build, its shared memory and the team block's address. */
interface HelperData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  team: number;
}

/**
 * The helper's program (run as a CommonJS script by worker_threads' eval). After each task it polls the team's
 * POSTED flag in wasm for about a millisecond (inside a factorisation the next task follows within a millisecond:
 * the caller factors the next diagonal panel alone), then sleeps in Atomics.wait with a short timeout (the caller
 * posts without notifying: see assembly/linalg/team.ts on waiting in wasm). A task posted while it sleeps is not
 * waited for: the caller does its chunks, and the helper whatever is left when it wakes. After LINGER_MS without a
 * task it leaves (kernelTeamRetire) and its thread ends.
 */
const HELPER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, team } = workerData;
const abort = () => { throw new Error("spruce kernel helper: a kernel aborted"); };
const teamWait = (address, value, ms) => Atomics.wait(new Int32Array(memory.buffer, address, 1), 0, value, ms);
const k = new WebAssembly.Instance(module, { env: { memory, abort, seed: () => 0, teamWait } }).exports;
const flags = new Int32Array(memory.buffer, team, 1);
const done = new Int32Array(memory.buffer, team + ${DONE_OFFSET}, 1);
let seen = Atomics.load(flags, 0);
let idleSince = performance.now();
if (k.kernelTeamJoin(team) === 1) {
  serve: for (;;) {
    let g = k.kernelTeamPoll(team, seen, ${POLLS});
    while (g === seen) {
      if (performance.now() - idleSince > ${LINGER_MS}) {
        k.kernelTeamRetire(team);
        break serve;
      }
      Atomics.wait(flags, 0, seen, ${SLEEP_MS});
      g = k.kernelTeamPoll(team, seen, 1);
    }
    seen = g;
    if (k.kernelTeamRun(team, g) === 0) break;
    Atomics.notify(done, 0);
    idleSince = performance.now();
  }
}
`;

/** A started helper: stop() asks it to finish (it returns at once); `exited` resolves when its thread has ended. */
export interface KernelHelper {
  stop(): void;
  exited: Promise<void>;
}

type WorkerCtor = new (
  source: string,
  options: { eval: true; workerData: HelperData; stdout?: boolean; stderr?: boolean },
) => {
  unref(): void;
  once(event: "exit", listener: (code: number) => void): void;
  once(event: "error", listener: (error: Error) => void): void;
};

/** The worker_threads Worker where this runtime has one (Node), else null. */
function nodeWorker(): WorkerCtor | null {
  if (typeof process === "undefined" || typeof process.versions?.node !== "string") return null;
  const threads = process.getBuiltinModule?.("node:worker_threads") as { Worker?: WorkerCtor } | undefined;
  return threads?.Worker ?? null;
}

/** Whether helpers can be started here (Node with worker_threads and shared wasm memory). */
export function kernelHelpersAvailable(): boolean {
  return nodeWorker() !== null && typeof SharedArrayBuffer === "function";
}

/**
 * Start a helper for the team at `team` of `kernels` (an instance of `module` on the shared `memory`). The team
 * block must be initialised (kernelTeamInit) and not served by another helper. The helper joins when its thread
 * is up (tens of milliseconds); until then the kernels do all the work themselves.
 */
export function startKernelHelper(
  kernels: KernelExports,
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  team: number,
): KernelHelper {
  const Worker = nodeWorker();
  if (!Worker) throw new Error("spruce kernel helpers need Node's worker_threads");
  const worker = new Worker(HELPER_SOURCE, { eval: true, workerData: { module, memory, team } });
  // A helper never keeps the process alive (a process that exits while it is still ending stops it; it runs no
  // optimised JavaScript, see kernelTeamPoll, so that is safe on Node 20).
  worker.unref();
  const exited = new Promise<void>((resolve) => {
    worker.once("exit", () => resolve());
    // An error ends the thread too ("exit" follows); the team is then no longer served.
    worker.once("error", () => undefined);
  });
  return {
    stop(): void {
      kernels.kernelTeamStop(team);
    },
    exited,
  };
}

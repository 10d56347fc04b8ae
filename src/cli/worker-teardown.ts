/**
 * Node 20's worker-teardown race, and what the `spruce` executable does about it.
 *
 * Node 20 stops a worker thread by unregistering its isolate from the platform *before* disposing it
 * (src/node_worker.cc, `~WorkerThreadData`; fixed in 2025, after the 20.x line). A TurboFan job still compiling the
 * worker's code on a background thread in that window can start incremental marking, asks the platform for the
 * isolate's task runner and aborts the whole process (`NodePlatform::ForIsolate … Assertion failed`). Workers are
 * stopped when a pool closes, when a run is cancelled and at exit, and warm workers are often still compiling then.
 *
 * `--no-concurrent-recompilation` compiles on the isolate's own thread, so no job can outlive the isolate. The
 * executable sets it for the commands that run worker pools, before any worker starts. Its cost, measured on
 * Sitka's cold 1000-replicate `spruce boot`: two workers unchanged (medians 192 against 203 ms, within the noise);
 * one worker ~10% slower (344 against 308 ms), the compiles it ran on the idle second core now run on its own.
 * Commands without workers keep concurrent compilation (a `spruce fit` of `star` was 15% slower without it). The
 * library does not set V8 flags in its user's process; docs/architecture.md says what a Node 20 user can do.
 */
import { setFlagsFromString } from "node:v8";

/** The V8 flag that closes the race (also passed to the test processes, test/support/node-flags.ts). */
export const NO_CONCURRENT_RECOMPILATION = "--no-concurrent-recompilation";

/** The commands that start worker pools. */
const POOL_COMMANDS = new Set(["boot", "power", "demo"]);

/** Whether this command line (as process.argv) runs a command that starts worker pools. */
export function startsWorkerPools(argv: readonly string[]): boolean {
  const command = argv[2];
  return command !== undefined && POOL_COMMANDS.has(command);
}

/** Sets the flag when this command line will start workers, before any worker exists. */
export function avoidWorkerTeardownRace(argv: readonly string[]): void {
  if (startsWorkerPools(argv)) setFlagsFromString(NO_CONCURRENT_RECOMPILATION);
}

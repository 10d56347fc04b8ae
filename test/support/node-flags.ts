/**
 * V8 flags for the processes that run the tests (every vitest config's `execArgv`).
 *
 * The tests start and stop hundreds of pool workers, some of them mid-job on purpose (cancellation, a killed
 * worker), and Node 20's worker-teardown race (src/cli/worker-teardown.ts) once aborted a whole vitest fork in CI
 * (`NodePlatform::ForIsolate … Assertion failed`). The flag that closes it there closes it here. Results do not
 * depend on it; only where TurboFan compiles.
 */
import { NO_CONCURRENT_RECOMPILATION } from "../../src/cli/worker-teardown.js";

export const testExecArgv: string[] = [NO_CONCURRENT_RECOMPILATION];

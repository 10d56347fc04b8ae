import { defineConfig } from "vitest/config";
import { testExecArgv } from "./test/support/node-flags.js";

/**
 * `npm run test:scale`: the InstEval conformance (73k rows, crossed factors with 2,972 and 1,128 levels).
 * Too slow for every run of `npm test`, so it has its own config; timeouts leave room for a loaded machine.
 */
export default defineConfig({
  test: {
    // Node 20's worker-teardown race (see test/support/node-flags.ts).
    execArgv: testExecArgv,
    include: ["test/scale/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    // One file at a time: the machine is small and each fit holds its own buffers.
    fileParallelism: false,
  },
});

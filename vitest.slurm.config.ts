import { defineConfig } from "vitest/config";
import { testExecArgv } from "./test/support/node-flags.js";

/** `npm run test:slurm`: the sharded bootstrap through a real SLURM cluster (.ci/start-slurm.sh starts one). */
export default defineConfig({
  test: {
    // Node 20's worker-teardown race (see test/support/node-flags.ts).
    execArgv: testExecArgv,
    include: ["test/slurm/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});

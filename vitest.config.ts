import { defineConfig } from "vitest/config";
import { testExecArgv } from "./test/support/node-flags.js";

export default defineConfig({
  test: {
    // Node 20's worker-teardown race (see test/support/node-flags.ts).
    execArgv: testExecArgv,
    include: ["test/**/*.test.ts"],
    exclude: ["test/scale/**", "test/e2e/**", "test/slurm/**", "test/package-install/**", "node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

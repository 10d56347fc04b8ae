import { defineConfig } from "vitest/config";
import { testExecArgv } from "./test/support/node-flags.js";

/**
 * The browser end-to-end test (`npm run test:e2e`, which builds web/dist first): Node environment, the test drives
 * Debian's chromium through playwright-core against the built page served from a local port.
 */
export default defineConfig({
  test: {
    // Node 20's worker-teardown race (see test/support/node-flags.ts).
    execArgv: testExecArgv,
    include: ["test/e2e/**/*.test.ts"],
    environment: "node",
    // One browser at a time on a 2-core machine; the bootstrap inside the page wants both cores.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});

import { defineConfig } from "vitest/config";
import { testExecArgv } from "./test/support/node-flags.js";

/**
 * `npm run test:package` (issue 16): packs the package, installs the tarball into a fresh temporary project and
 * uses it there as a user would (README's example, TypeScript, require, esbuild, a plain Vite app in chromium).
 */
export default defineConfig({
  test: {
    // Node 20's worker-teardown race (see test/support/node-flags.ts).
    execArgv: testExecArgv,
    include: ["test/package-install/**/*.test.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});

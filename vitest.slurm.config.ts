import { defineConfig } from "vitest/config";

/** `npm run test:slurm`: the sharded bootstrap through a real SLURM cluster (.ci/start-slurm.sh starts one). */
export default defineConfig({
  test: {
    include: ["test/slurm/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});

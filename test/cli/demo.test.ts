/**
 * `spruce demo` (npm start) tells the lecture's story in order: lm and its F test, why it fails, the mixed model,
 * the likelihood-ratio tests (the random effects' one flagged conservative), the R-compatible and spruce's own
 * bootstraps, the diagnostics. Run with few replicates here; the full 0.011 run is test/inference/r-bootstrap.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

describe("spruce demo", () => {
  it("tells the lecture's story in order", async () => {
    const { stdout } = await run("node", [cli, "demo", "--nsim", "20", "--workers", "1"], {
      maxBuffer: 1 << 24,
    });
    const marks = [
      "1. Linear models",
      "2    237   6.267 154    150.84 37.043 < 2.2e-16 ***",
      "2. Why the smaller model fails",
      "3. The mixed model",
      "4. Likelihood-ratio tests",
      "conservative (too big)",
      "5. The parametric bootstrap",
      "set.seed(517*i)",
      "spruce's own counter-based streams",
      "6. Diagnostics",
    ];
    let at = -1;
    for (const m of marks) {
      const i = stdout.indexOf(m, at + 1);
      expect(i, m).toBeGreaterThan(at);
      at = i;
    }
  }, 60_000);
});

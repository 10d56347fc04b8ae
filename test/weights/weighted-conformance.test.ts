/**
 * Prior weights (lme4's `weights =`) against lme4 1.1-31 (test/fixtures/weighted, made by runner/lme4_weighted.R
 * there): `spruce fit DATA F --weights w --json [--ml]`, compared to the same fields and tolerances as the
 * unweighted conformance fits (test/support/compare.ts), and the leverages of `--diagnostics` against lme4's
 * hatvalues(). The `_w0` cases have zero weights (see src/design/weights.ts for how they follow lme4).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { FitJson } from "../../src/report/json.js";
import { expectMatchesLme4 } from "../support/compare.js";
import { fitFixtureIds, fixtureDataPath, fixturesDir, loadFitFixture } from "../support/fixtures.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const weightedDir = join(fixturesDir, "weighted");
const ids = fitFixtureIds(weightedDir);

describe("spruce fit --weights --json agrees with lme4's weighted fits", () => {
  it("has weighted references on at least three data sets, ML and REML, with zero weights among them", () => {
    expect(ids.length).toBeGreaterThanOrEqual(6);
    const data = new Set(ids.map((id) => loadFitFixture(id, weightedDir).data));
    expect(data.size).toBeGreaterThanOrEqual(3);
    expect(ids.some((id) => id.endsWith("_ml"))).toBe(true);
    expect(ids.some((id) => id.endsWith("_reml"))).toBe(true);
    expect(ids.some((id) => id.includes("_w0"))).toBe(true);
  });

  for (const id of ids) {
    it(id, async () => {
      const fx = loadFitFixture(id, weightedDir) as ReturnType<typeof loadFitFixture> & {
        weights: string;
        hatvalues: number[];
      };
      const args = [cli, "fit", fixtureDataPath(fx, weightedDir), fx.formula, "--weights", fx.weights];
      args.push("--json", "--diagnostics");
      if (!fx.REML) args.push("--ml");
      const { stdout } = await run("node", args, { maxBuffer: 64 * 1024 * 1024 });
      const json = JSON.parse(stdout) as FitJson & { hatvalues: number[] };
      expect(json.weights).toBe("w");
      expectMatchesLme4(json, fx);
      // Leverages move with θ̂ like the fitted values: within 1e-3 (they lie in [0, 1]).
      expect(json.hatvalues).toHaveLength(fx.hatvalues.length);
      fx.hatvalues.forEach((h, i) => {
        expect(Math.abs((json.hatvalues[i] as number) - h), `hat ${i}`).toBeLessThanOrEqual(1e-3);
        if (h === 0) expect(json.hatvalues[i]).toBe(0);
      });
    });
  }
});

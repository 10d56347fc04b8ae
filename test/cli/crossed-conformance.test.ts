/**
 * Crossed and nested models of data other than the conformance fixtures, fitted exactly as a user would: the built
 * CLI (`node dist/cli/main.js fit DATA.csv FORMULA --json [--ml]`; `npm test` builds dist/ first), its JSON
 * compared with lme4's fit (test/fixtures/crossed, written by test/fixtures/crossed/runner/cases_crossed.R) to the
 * conformance tolerances of test/support/compare.ts.
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
const crossedDir = join(fixturesDir, "crossed");
const ids = fitFixtureIds(crossedDir);

describe("spruce fit --json on crossed and nested models agrees with lme4", () => {
  it("has the reference fits", () => {
    expect(ids.length).toBeGreaterThanOrEqual(20);
  });

  for (const id of ids) {
    it(id, async () => {
      const fx = loadFitFixture(id, crossedDir);
      const args = [cli, "fit", fixtureDataPath(fx, crossedDir), fx.formula, "--json"];
      if (!fx.REML) args.push("--ml");
      const { stdout, stderr } = await run("node", args, { maxBuffer: 64 * 1024 * 1024 });
      const json = JSON.parse(stdout) as FitJson;
      expectMatchesLme4(json, fx);
      // lme4 reports a singular fit as a message; spruce says so on stderr (stdout stays pure JSON).
      if (fx.singular) expect(stderr).toMatch(/singular/);
    });
  }
});

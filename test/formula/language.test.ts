/**
 * R's formula language beyond plain terms against R (test/fixtures/formula/formula_reference.json, made by
 * formula_reference.R beside it): poly() orthogonal and raw, scale() with its arguments, several offset()s,
 * logical columns, '.', '- term', contrasts per factor; through `spruce fit --json` (the fixed-effect names R
 * gives, estimates and standard errors) and, for predictions on new data, through the API (poly() coefficients
 * and scale() centre/scale of the fitting data reused, as R's makepredictcall does).
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { fitMixed } from "../../src/fit/fit.js";
import { readCsv } from "../../src/frame/csv.js";
import { fitLinearModel } from "../../src/lm/fit.js";
import { fixturesDir } from "../support/fixtures.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

interface Case {
  id: string;
  kind: "lm" | "lmer";
  data: string;
  formula: string;
  REML?: boolean;
  contrasts: Record<string, string> | null;
  names: string[] | string;
  coef: number[] | number;
  se: number[] | number;
  sigma: number;
  logLik: number;
  newdata?: Record<string, unknown[]>;
  predict?: number[];
}
const ref = JSON.parse(readFileSync(join(fixturesDir, "formula", "formula_reference.json"), "utf8")) as {
  cases: Case[];
};
const arr = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

function contrastsArg(c: Case): string[] {
  if (!c.contrasts) return [];
  return [
    "--contrasts",
    Object.entries(c.contrasts)
      .map(([k, v]) => `${k}=${v}`)
      .join(","),
  ];
}

describe.each(ref.cases)("$kind $id: $formula", (c) => {
  const dataPath = join(fixturesDir, c.data);
  // lm: least squares is exact, so 1e-8; lmer: lme4's optimum to the conformance tolerances.
  const tol = c.kind === "lm" ? 1e-8 : 2e-4;

  it("spruce fit --json gives R's fixed-effect names, estimates and standard errors", async () => {
    const args = [cli, "fit", dataPath, c.formula, "--json", ...contrastsArg(c)];
    if (c.kind === "lmer" && !c.REML) args.push("--ml");
    const { stdout } = await run("node", args, { maxBuffer: 1 << 24 });
    const out = JSON.parse(stdout) as { fixef: Record<string, number>; se: Record<string, number> };
    expect(Object.keys(out.fixef)).toEqual(arr(c.names));
    arr(c.names).forEach((name, j) => {
      const b = arr(c.coef)[j] as number;
      const s = arr(c.se)[j] as number | string;
      expect(Math.abs((out.fixef[name] as number) - b)).toBeLessThan(tol * Math.max(1, Math.abs(b)));
      // A saturated model (no residual degrees of freedom) has NaN standard errors in R: null in the JSON.
      if (typeof s !== "number") expect(out.se[name]).toBeNull();
      else expect(Math.abs((out.se[name] as number) - s)).toBeLessThan(tol * Math.max(1, Math.abs(s)) * 10);
    });
  });

  it.runIf(c.predict !== undefined)(
    "predict(newdata) equals R's (the fit's poly/scale parameters reused)",
    async () => {
      const data = readCsv(dataPath);
      const contrasts = (c.contrasts ?? undefined) as Record<string, "contr.sum"> | undefined;
      const newdata = c.newdata as Record<string, (number | string | boolean)[]>;
      const want = c.predict as number[];
      const got =
        c.kind === "lm"
          ? fitLinearModel(c.formula, data, contrasts ? { contrasts } : {}).predict(newdata)
          : (
              await fitMixed(c.formula, data, { REML: c.REML ?? true, ...(contrasts ? { contrasts } : {}) })
            ).predict(newdata, { random: false });
      want.forEach((w, i) => {
        expect(Math.abs((got[i] as number) - w)).toBeLessThan(tol * Math.max(1, Math.abs(w)));
      });
    },
  );
});

describe("formula language errors", () => {
  const sitka = readCsv(join(fixturesDir, "conformance", "data", "sitka.csv"));
  it("names the problem: unknown argument, variable as an option, bad contrasts", () => {
    expect(() => fitLinearModel("size ~ poly(time, 2, rw = TRUE)", sitka)).toThrow(/no argument 'rw'/);
    expect(() => fitLinearModel("size ~ poly(time, treat)", sitka)).toThrow(/options must be numbers/);
    expect(() => fitLinearModel("size ~ poly(time, 5)", sitka)).toThrow(
      /less than the number of unique points/,
    );
    expect(() =>
      fitLinearModel("size ~ treat", sitka, { contrasts: { treat: "contr.bogus" as "contr.sum" } }),
    ).toThrow(/unknown contrasts 'contr.bogus'/);
    expect(() => fitLinearModel("size ~ treat", sitka, { contrasts: { time: "contr.sum" } })).toThrow(
      /'time'/,
    );
  });
});

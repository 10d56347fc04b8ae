import { join } from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { registerFormula } from "../../src/cli/commands/formula.js";
import { FormulaError } from "../../src/formula/errors.js";

const examples = join(import.meta.dirname, "..", "..", "examples");

/** Run `spruce formula ...` in-process and capture what it writes. */
async function run(...args: string[]): Promise<{ out: string; err: string }> {
  let out = "";
  let err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  const program = new Command().exitOverride();
  registerFormula(program);
  await program.parseAsync(["node", "spruce", "formula", ...args]);
  return { out, err };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("spruce formula", () => {
  it("--json prints the model as lme4 names it (Sitka)", async () => {
    const { out } = await run(
      join(examples, "sitka.csv"),
      "size ~ treat*(time+I(time^2)) + (time+I(time^2)|tree)",
      "--json",
    );
    expect(JSON.parse(out)).toEqual({
      response: "size",
      fixed: ["(Intercept)", "treatozone", "time", "I(time^2)", "treatozone:time", "treatozone:I(time^2)"],
      random: [{ group: "tree", terms: ["(Intercept)", "time", "I(time^2)"], correlated: true, levels: 79 }],
      nobs: 395,
      dropped: 0,
      ngrps: { tree: 79 },
    });
  });

  it("--json marks the terms of (Days||Subject) as uncorrelated", async () => {
    const { out } = await run(
      join(examples, "sleepstudy.csv"),
      "Reaction ~ Days + (Days||Subject)",
      "--json",
    );
    const d = JSON.parse(out);
    expect(d.random).toEqual([
      { group: "Subject", terms: ["(Intercept)"], correlated: false, levels: 18 },
      { group: "Subject", terms: ["Days"], correlated: false, levels: 18 },
    ]);
    expect(d.ngrps).toEqual({ Subject: 18 });
  });

  it("without --json prints the same for a person", async () => {
    const { out } = await run(join(examples, "sleepstudy.csv"), "Reaction ~ Days + (Days|Subject)");
    expect(out).toContain("Response: Reaction");
    expect(out).toContain("Observations: 180");
    expect(out).toContain("Fixed effects (2): (Intercept), Days");
    expect(out).toMatch(/Subject\s+\(Intercept\), Days\s+18\s+yes/);
    expect(out).toContain("Number of groups: Subject 18");
  });

  it("a syntax error is a FormulaError with the caret display", async () => {
    await expect(run(join(examples, "sleepstudy.csv"), "Reaction ~ Days + (Days|Subject")).rejects.toThrow(
      FormulaError,
    );
  });

  it("rank deficiency is reported on stderr with lme4's wording", async () => {
    const { out, err } = await run(
      join(examples, "sleepstudy.csv"),
      "Reaction ~ Days + I(2*Days) + (1|Subject)",
      "--json",
    );
    expect(err).toContain("fixed-effect model matrix is rank deficient so dropping 1 column / coefficient");
    expect(JSON.parse(out).fixed).toEqual(["(Intercept)", "Days"]);
  });
});

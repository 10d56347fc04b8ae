/**
 * The `spruce` command imports a command's module only when the command line names it (src/cli/main.ts): these
 * check that what a user sees does not depend on that — the listing names every command, a named command has its
 * own help, and an unknown one is an error that lists the real ones.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const main = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const spruce = (...args: string[]) =>
  spawnSync(process.execPath, [main, ...args], { encoding: "utf8", timeout: 30_000 });
const COMMANDS = ["formula", "fit", "anova", "boot", "merge", "plot", "power", "demo"];

describe("commands loaded on demand", () => {
  it("--help lists every command, in order", () => {
    const r = spruce("--help");
    expect(r.status).toBe(0);
    const listed = COMMANDS.map((c) => r.stdout.search(new RegExp(`^  ${c}\\b`, "m")));
    expect(listed.every((at) => at >= 0)).toBe(true);
    expect([...listed].sort((a, b) => a - b)).toEqual(listed);
  });

  it("a named command has its own help (its module alone is loaded)", () => {
    for (const c of ["boot", "fit", "power"]) {
      const r = spruce(c, "--help");
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`Usage: spruce ${c}`);
    }
  });

  it("`help boot` shows boot's help", () => {
    const r = spruce("help", "boot");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Usage: spruce boot");
  });

  it("an unknown command is an error that names it, with every command registered", () => {
    const r = spruce("bootstrap");
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("unknown command 'bootstrap'");
    expect(r.stderr).toContain("boot");
  });
});

/**
 * The `spruce` entry (dist/cli/bin.js) starts `spruce boot`'s workers before the command loads: how many, for
 * which command lines, and that the command still gives main's numbers and exits on errors and --help (idle
 * workers started ahead never keep the process alive). Runs the built CLI (`npm test` builds first).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { earlyWorkerCount } from "../../src/cli/early-workers.js";
import { startsWorkerPools } from "../../src/cli/worker-teardown.js";

const bin = fileURLToPath(new URL("../../dist/cli/bin.js", import.meta.url));
const main = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const sitka = fileURLToPath(new URL("../../examples/sitka.csv", import.meta.url));
const F0 = "size ~ time+I(time^2) + (time+I(time^2)|tree)";
const F1 = "size ~ treat*(time+I(time^2)) + (time+I(time^2)|tree)";
const argv = (...args: string[]) => ["node", "spruce", ...args];

describe("earlyWorkerCount", () => {
  it("counts what `spruce boot` will use: --workers, else every core, capped at the cores unless forced", () => {
    expect(earlyWorkerCount(argv("boot", "d.csv", "a", "b"), 4)).toBe(4);
    expect(earlyWorkerCount(argv("boot", "d.csv", "a", "b", "--workers", "2"), 4)).toBe(2);
    expect(earlyWorkerCount(argv("boot", "d.csv", "a", "b", "--workers=3"), 4)).toBe(3);
    expect(earlyWorkerCount(argv("boot", "d.csv", "a", "b", "--workers", "8"), 2)).toBe(2);
    expect(earlyWorkerCount(argv("boot", "d.csv", "a", "b", "--workers", "3", "--force-workers"), 2)).toBe(3);
  });

  it("starts none for other commands, no workers, invalid counts, help, shards and GLMMs", () => {
    expect(earlyWorkerCount(argv("fit", "d.csv", "a"), 4)).toBe(0);
    expect(earlyWorkerCount(argv(), 4)).toBe(0);
    for (const extra of [
      ["--workers", "0"],
      ["--workers", "two"],
      ["--workers", "-1"],
      ["--help"],
      ["-h"],
      ["--shard", "0/4"],
      ["--out", "s.json"],
      ["--family", "binomial"],
    ])
      expect(earlyWorkerCount(argv("boot", "d.csv", "a", "b", ...extra), 4)).toBe(0);
  });
});

describe("startsWorkerPools (the commands run without concurrent recompilation, src/cli/worker-teardown.ts)", () => {
  it("is true for boot, power and demo, false for the commands without workers and for no command", () => {
    for (const c of ["boot", "power", "demo"]) expect(startsWorkerPools(argv(c, "d.csv"))).toBe(true);
    for (const c of ["fit", "anova", "merge", "plot", "formula"])
      expect(startsWorkerPools(argv(c, "d.csv"))).toBe(false);
    expect(startsWorkerPools(argv())).toBe(false);
  });
});

describe("the spruce entry", () => {
  it("gives the same bootstrap as dist/cli/main.js (same seed, 1 and 2 workers)", () => {
    const run = (entry: string, workers: number) => {
      const r = spawnSync(
        process.execPath,
        [
          entry,
          "boot",
          sitka,
          F0,
          F1,
          "--nsim",
          "40",
          "--seed",
          "31",
          "--workers",
          String(workers),
          "--json",
        ],
        { encoding: "utf8", timeout: 60_000 },
      );
      // A signal (an abort at worker teardown, a timeout) says which, with the end of stderr.
      expect({
        status: r.status,
        signal: r.signal,
        stderr: r.status === 0 ? "" : r.stderr.slice(-2000),
      }).toEqual({
        status: 0,
        signal: null,
        stderr: "",
      });
      return (JSON.parse(r.stdout) as { stats: number[] }).stats;
    };
    const reference = run(main, 1);
    expect(reference.every(Number.isFinite)).toBe(true);
    expect(run(bin, 1)).toEqual(reference);
    expect(run(bin, 2)).toEqual(reference);
  });

  it("exits after --help and after an error, with the workers it started ahead still idle", () => {
    const help = spawnSync(process.execPath, [bin, "boot", "--help"], { encoding: "utf8", timeout: 30_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: spruce boot");
    const missing = spawnSync(process.execPath, [bin, "boot", "/nonexistent.csv", F0, F1, "--workers", "2"], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(missing.signal).toBeNull();
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("cannot read /nonexistent.csv");
    const badNsim = spawnSync(process.execPath, [bin, "boot", sitka, F0, F1, "--nsim", "abc"], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(badNsim.signal).toBeNull();
    expect(badNsim.stderr).toContain("--nsim must be an integer");
  });
});

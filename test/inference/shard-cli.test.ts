/**
 * `spruce boot --shard … --out` and `spruce merge` end to end through the built CLI (dist/cli/main.js): the merged
 * `--json` equals the one-machine `spruce boot --json` except the run-describing fields (workers, restarts,
 * elapsedMs), and the text report is the same; errors are one clear line.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { conformanceDir } from "../support/fixtures.js";
import { SLEEP_INT, SLEEP_SLOPE } from "./fit-models.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const sleepCsv = `${conformanceDir}/data/sleepstudy.csv`;
const dir = mkdtempSync(join(tmpdir(), "spruce-shard-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const boot = ["boot", sleepCsv, SLEEP_INT, SLEEP_SLOPE, "--nsim", "24", "--seed", "11", "--workers", "1"];
const RUN_FIELDS = ["workers", "restarts", "elapsedMs"];

function withoutRunFields(json: string): Record<string, unknown> {
  const o = JSON.parse(json);
  for (const k of RUN_FIELDS) delete o[k];
  return o;
}

function withoutTiming(text: string): string {
  return text.replace(/\n {2}[\d.]+ s on \d+ workers?/, "");
}

describe("spruce boot --shard and spruce merge", () => {
  it("merged shards print what the one-machine run prints (--json and text)", async () => {
    const files = [0, 1, 2].map((k) => join(dir, `s${k}.json`));
    const one = await run("node", [cli, ...boot, "--json"]);
    const oneText = await run("node", [cli, ...boot]);
    for (const [k, f] of files.entries()) {
      const { stderr } = await run("node", [cli, ...boot, "--shard", `${k}/3`, "--out", f]);
      expect(stderr).toMatch(new RegExp(`shard ${k}/3: replicates \\d+–\\d+ of 24, written to`));
    }
    // SLURM's environment, as an array task sees it.
    const auto = join(dir, "auto1.json");
    await run("node", [cli, ...boot, "--shard", "auto", "--out", auto], {
      env: {
        ...process.env,
        SLURM_ARRAY_TASK_ID: "1",
        SLURM_ARRAY_TASK_COUNT: "3",
        SLURM_ARRAY_TASK_MIN: "0",
      },
    });
    const merged = await run("node", [cli, "merge", files[2], files[0], auto, "--json"]);
    expect(withoutRunFields(merged.stdout)).toEqual(withoutRunFields(one.stdout));
    expect(JSON.parse(merged.stdout).stats).toEqual(JSON.parse(one.stdout).stats);
    const mergedText = await run("node", [cli, "merge", ...files]);
    expect(withoutTiming(mergedText.stdout)).toBe(withoutTiming(oneText.stdout));
    // The SLURM shard and the explicit one are the same replicates: given together, kept once.
    const both = await run("node", [cli, "merge", ...files, auto, "--json"]);
    expect(both.stderr).toMatch(/replicates were in more than one shard \(identical, kept once\)/);
    expect(withoutRunFields(both.stdout)).toEqual(withoutRunFields(one.stdout));
  });

  it("names missing replicates and bad shard options in one line (exit code 2)", async () => {
    const f = join(dir, "only0.json");
    await run("node", [cli, ...boot, "--shard", "0/4", "--out", f]);
    const missing = await run("node", [cli, "merge", f]).catch((e) => e);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/18 of 24 replicates are missing: indices 6–23/);
    const bad = await run("node", [cli, ...boot, "--shard", "4/4"]).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/0-based and must lie in 0…3 for 4 shards, got 4/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const noSeed = await run("node", [cli, "boot", sleepCsv, SLEEP_INT, SLEEP_SLOPE, "--shard", "1/4"]).catch(
      (e) => e,
    );
    expect(noSeed.stderr).toMatch(/--shard 1\/4 needs --seed S, the same in every shard/);
    const json = await run("node", [cli, ...boot, "--shard", "1/4", "--json"]).catch((e) => e);
    expect(json.stderr).toMatch(/--json does not apply to a shard/);
    const noEnv = await run("node", [cli, ...boot, "--shard", "auto"], {
      env: { PATH: process.env.PATH },
    }).catch((e) => e);
    expect(noEnv.stderr).toMatch(/neither SLURM_ARRAY_TASK_ID .* nor JOB_COMPLETION_INDEX/);
  });
});

/**
 * Sharded runs on a real SLURM cluster: examples/slurm/submit.sh submits a 4-task job array and the merge as a
 * dependent job (afterok), waits, and the merged result must equal the one-machine `spruce boot --json` (all
 * fields but the run-describing workers, restarts and elapsedMs; `stats` bit for bit through JSON's round-trip
 * decimals); examples/slurm/submit-power.sh does the same for `spruce power`. Needs `sbatch` and running daemons (.ci/start-slurm.sh starts munged, slurmctld and slurmd on this
 * machine); skipped, with the reason, where there are none.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const cli = join(root, "dist/cli/main.js");

/** Why SLURM cannot be used here, or null when a node is up. */
function slurmUnavailable(): string | null {
  try {
    execFileSync("sh", ["-c", "command -v sbatch"], { stdio: "pipe" });
  } catch {
    return "sbatch is not on the PATH (install slurm-wlm and run .ci/start-slurm.sh)";
  }
  try {
    const state = execFileSync("sinfo", ["-h", "-o", "%T"], { stdio: "pipe", timeout: 10_000 })
      .toString()
      .trim();
    if (!/idle|mixed|allocated/.test(state))
      return `no SLURM node is up (sinfo says "${state || "nothing"}")`;
  } catch (error) {
    return `slurmctld does not answer (sinfo failed: ${(error as Error).message.split("\n")[0]}); run .ci/start-slurm.sh`;
  }
  return null;
}

const reason = slurmUnavailable();
if (reason) console.warn(`test:slurm skipped: ${reason}`);

const dir = mkdtempSync(join(tmpdir(), "spruce-slurm-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DATA = join(root, "examples/sitka.csv");
const F0 = "size ~ time+I(time^2) + (time+I(time^2)|tree)";
const F1 = "size ~ treat*(time+I(time^2)) + (time+I(time^2)|tree)";
const NSIM = "200";
const SEED = "17";

describe.skipIf(reason !== null)("sharded runs on SLURM", () => {
  it("a 4-task array plus a dependent merge job gives the one-machine result", async () => {
    const out = join(dir, "run");
    const submitted = await run(
      join(root, "examples/slurm/submit.sh"),
      [DATA, F0, F1, NSIM, SEED, "4", out, "--wait"],
      { env: { ...process.env, SPRUCE: `node ${cli}` } },
    );
    expect(submitted.stdout).toMatch(/array job \d+: 4 shards of 200 replicates/);
    const shards = readdirSync(out).filter((f) => /^shard-\d\.json$/.test(f));
    expect(shards.sort()).toEqual(["shard-0.json", "shard-1.json", "shard-2.json", "shard-3.json"]);
    // Each task ran its own shard (SLURM_ARRAY_TASK_ID k → shard k/4).
    for (const f of shards) {
      const s = JSON.parse(readFileSync(join(out, f), "utf8"));
      expect(`${s.shard.index}/${s.shard.count}`).toBe(`${f.slice(6, 7)}/4`);
    }
    const merged = JSON.parse(readFileSync(join(out, "result.json"), "utf8"));
    const one = JSON.parse(
      (await run("node", [cli, "boot", DATA, F0, F1, "--nsim", NSIM, "--seed", SEED, "--json"])).stdout,
    );
    for (const k of ["workers", "restarts", "elapsedMs"]) {
      delete merged[k];
      delete one[k];
    }
    expect(merged).toEqual(one);
    expect(merged.valid).toBe(200);

    // A lost shard: the merge names its replicates; rerunning that array index alone (sbatch --array=2, the same
    // settings) writes it again, and the merge is the one-machine result again.
    const lost = join(out, "shard-2.json");
    const before = readFileSync(lost, "utf8");
    rmSync(lost);
    const missing = await run("node", [
      cli,
      "merge",
      ...[0, 1, 3].map((k) => join(out, `shard-${k}.json`)),
    ]).catch((e) => e);
    expect(missing.stderr).toMatch(/50 of 200 replicates are missing: indices 100–149/);
    await run(
      "sbatch",
      [
        "--wait",
        "--array=2",
        "--export=ALL",
        `--output=${join(out, "rerun-%A_%a.log")}`,
        join(root, "examples/slurm/boot-array.sh"),
      ],
      {
        env: {
          ...process.env,
          SPRUCE: `node ${cli}`,
          DATA,
          NULL_MODEL: F0,
          ALT_MODEL: F1,
          NSIM,
          SEED,
          SHARDS: "4",
          OUTDIR: out,
        },
      },
    );
    const rerun = readFileSync(lost, "utf8");
    const strip = (t: string) => {
      const o = JSON.parse(t);
      delete o.elapsedMs;
      delete o.workers;
      return o;
    };
    expect(strip(rerun)).toEqual(strip(before));
    const again = JSON.parse(
      (await run("node", [cli, "merge", ...[0, 1, 2, 3].map((k) => join(out, `shard-${k}.json`)), "--json"]))
        .stdout,
    );
    for (const k of ["workers", "restarts", "elapsedMs"]) delete again[k];
    expect(again).toEqual(one);
  });

  it("a sharded power simulation (3 tasks) merges into the one-machine power curve, with its plot", async () => {
    const out = join(dir, "power");
    const args = ["treatozone", "-0.25", "tree", "79,120", "20", "3"];
    await run(join(root, "examples/slurm/submit-power.sh"), [DATA, F1, ...args, "3", out, "--wait"], {
      env: { ...process.env, SPRUCE: `node ${cli}` },
    });
    const merged = JSON.parse(readFileSync(join(out, "result.json"), "utf8"));
    const one = JSON.parse(
      (
        await run("node", [
          cli,
          "power",
          DATA,
          F1,
          "--test",
          "treatozone",
          "--effect",
          "-0.25",
          "--along",
          "tree",
          "--sizes",
          "79,120",
          "--nsim",
          "20",
          "--seed",
          "3",
          "--json",
        ])
      ).stdout,
    );
    for (const k of ["workers", "elapsedMs"]) {
      delete merged[k];
      delete one[k];
    }
    expect(merged).toEqual(one);
    expect(readFileSync(join(out, "power-curve.svg"), "utf8")).toMatch(/Levels of tree/);
  });
});

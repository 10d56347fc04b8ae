/**
 * The Kubernetes example without a cluster: the shell commands of examples/kubernetes/boot-indexed-job.yaml run
 * once per index with JOB_COMPLETION_INDEX set (as the Indexed Job's pods would), then merge-job.yaml's command,
 * on a temporary folder standing in for the volume; the result must be the one-machine `spruce boot --json`.
 * Checks that the manifests' commands, `completions` and `--shards` agree with what spruce expects.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const cli = join(root, "dist/cli/main.js");
const dir = mkdtempSync(join(tmpdir(), "spruce-k8s-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The folded (`>-`) args block of a manifest's container, as the shell receives it. */
function containerCommand(manifest: string): string {
  const text = readFileSync(join(root, "examples/kubernetes", manifest), "utf8");
  const m = /args:\n\s+- >-\n((?:\s{14}.*\n)+)/.exec(text);
  if (!m) throw new Error(`${manifest}: no folded args block`);
  return (m[1] as string)
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .join(" ");
}

/** Point the command at the stand-in volume and the built CLI, with fewer replicates. */
function local(command: string): string {
  return command
    .replaceAll("/shards", dir)
    .replaceAll(/\bspruce (boot|merge)\b/g, `node ${cli} $1`)
    .replace("--nsim 10000", "--nsim 24");
}

describe("examples/kubernetes", () => {
  it("the Indexed Job's pods and the merge Job give the one-machine result", async () => {
    const job = readFileSync(join(root, "examples/kubernetes/boot-indexed-job.yaml"), "utf8");
    const completions = Number(/completions: (\d+)/.exec(job)?.[1]);
    const boot = containerCommand("boot-indexed-job.yaml");
    expect(boot).toContain(`--shards ${completions}`);
    expect(boot).toContain("--shard auto");
    copyFileSync(join(root, "examples/sitka.csv"), join(dir, "data.csv"));
    for (let k = 0; k < completions; k++)
      await run("sh", ["-c", local(boot)], { env: { ...process.env, JOB_COMPLETION_INDEX: String(k) } });
    const { stdout: report } = await run("sh", ["-c", local(containerCommand("merge-job.yaml"))]);
    expect(report).toMatch(/24 of 24 replicates, seed 1/);
    const merged = JSON.parse(readFileSync(join(dir, "result.json"), "utf8"));
    const oneArgs = /spruce boot (\S+) "([^"]+)" "([^"]+)"/.exec(boot);
    const one = JSON.parse(
      (
        await run("node", [
          cli,
          "boot",
          join(dir, "data.csv"),
          oneArgs?.[2] as string,
          oneArgs?.[3] as string,
          "--nsim",
          "24",
          "--seed",
          "1",
          "--json",
        ])
      ).stdout,
    );
    for (const k of ["workers", "restarts", "elapsedMs"]) {
      delete merged[k];
      delete one[k];
    }
    expect(merged).toEqual(one);
  });
});

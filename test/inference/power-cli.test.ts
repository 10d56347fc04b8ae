/**
 * `spruce power` end to end through the built CLI: --json, shards merged by `spruce merge` into the same JSON
 * (except the run-describing workers and elapsedMs), the power-curve SVG from --plot and from
 * `spruce plot --power`, and clear one-line errors.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const sitka = fileURLToPath(new URL("../../examples/sitka.csv", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "spruce-power-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const F1 = "size ~ treat*(time+I(time^2)) + (time+I(time^2)|tree)";
const power = [
  "power",
  sitka,
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
  "--workers",
  "1",
];

function withoutRunFields(text: string): Record<string, unknown> {
  const o = JSON.parse(text);
  delete o.workers;
  delete o.elapsedMs;
  return o;
}

describe("spruce power", () => {
  it("--json and merged shards agree; --plot and spruce plot --power draw the curve", async () => {
    const svg = join(dir, "curve.svg");
    const one = await run("node", [cli, ...power, "--json", "--plot", svg]);
    const r = JSON.parse(one.stdout);
    expect(r.points.map((p: { size: number }) => p.size)).toEqual([79, 120]);
    expect(r.points[0]).toMatchObject({ nobs: 395, nsim: 20, valid: 20 });
    expect(r.points[1].nobs).toBe(600);
    for (const p of r.points) expect(p.lower).toBeLessThanOrEqual(p.power);
    expect(readFileSync(svg, "utf8")).toMatch(/<svg[^>]*>.*Levels of tree/s);
    const files = [0, 1, 2].map((k) => join(dir, `p${k}.json`));
    for (const [k, f] of files.entries()) await run("node", [cli, ...power, "--shard", `${k}/3`, "--out", f]);
    const merged = await run("node", [
      cli,
      "merge",
      files[1] as string,
      files[2] as string,
      files[0] as string,
      "--json",
    ]);
    expect(withoutRunFields(merged.stdout)).toEqual(withoutRunFields(one.stdout));
    const mergedSvg = join(dir, "merged.svg");
    const text = await run("node", [cli, "merge", ...files, "--plot", mergedSvg]);
    expect(readFileSync(mergedSvg, "utf8")).toBe(readFileSync(svg, "utf8"));
    expect(text.stdout).toMatch(/levels of tree {4}nobs {3}power/);
    const saved = join(dir, "power.json");
    writeFileSync(saved, one.stdout);
    const plotted = await run("node", [cli, "plot", "--power", saved, "--out", join(dir, "plots")]);
    expect(readFileSync(plotted.stdout.trim(), "utf8")).toMatch(/Power for treatozone = -0\.25/);
    const both = await run("node", [cli, "plot", sitka, "--power", saved, "--out", dir]).catch((e) => e);
    expect(both.stderr).toMatch(/--power FILE\.json takes no DATA/);
  });

  it("refuses a bad --test or --sizes without --along, in one line (exit code 2)", async () => {
    const bad = await run("node", [
      cli,
      "power",
      sitka,
      F1,
      "--test",
      "ozone",
      "--effect",
      "1",
      "--nsim",
      "2",
    ]).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--test ozone: not a fixed-effect coefficient .*treatozone/);
    const noAlong = await run("node", [
      cli,
      "power",
      sitka,
      F1,
      "--test",
      "treatozone",
      "--effect",
      "1",
      "--sizes",
      "10,20",
    ]).catch((e) => e);
    expect(noAlong.stderr).toMatch(/--sizes needs --along GROUP/);
    expect(noAlong.stderr).not.toMatch(/\n\s+at /);
    const shardJson = await run("node", [cli, ...power, "--shard", "0/2", "--json"]).catch((e) => e);
    expect(shardJson.stderr).toMatch(/--json does not apply to a shard/);
  });
});

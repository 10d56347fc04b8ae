/** Issue 18, case 7: output paths and pipes: clear errors (exit 2), no stack trace, no hang, quiet EPIPE. */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scratchDir, spruce, tempFile } from "./support.js";

const SLEEP = ["plot", "examples/sleepstudy.csv", "Reaction ~ Days + (Days|Subject)"];

describe("7. plot --out and pipes", () => {
  it("--out under a path that cannot be a folder: exit 2 with the reason (was: exit 70 and a stack)", () => {
    const file = tempFile("not-a-folder", "x");
    const r = spruce([...SLEEP, "--out", join(file, "plots")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `spruce: cannot use the output folder ${join(file, "plots")}: ${file} exists and is not a folder\n`,
    );
  });

  it("--out into a read-only place: exit 2, never a stack trace", () => {
    const r = spruce([...SLEEP, "--out", "/sys/spruce-plots"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^spruce: cannot create the output folder \/sys\/spruce-plots: /);
    expect(r.stderr).not.toContain("    at ");
  });

  it('--out "" is an error (was: wrote into the current folder)', () => {
    const r = spruce([...SLEEP, "--out", ""]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("spruce: --out needs a folder name (got an empty one)\n");
  });

  it("--out /proc/plots returns at once with an error (was: hung)", () => {
    const r = spruce([...SLEEP, "--out", "/proc/spruce-plots"], 20_000);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^spruce: cannot create the output folder \/proc\/spruce-plots/);
    expect(r.ms).toBeLessThan(15_000);
  });

  it("large output piped into head stops quietly (no unhandled EPIPE)", () => {
    const dir = scratchDir();
    const lines = ["y,x,g"];
    for (let i = 0; i < 20_000; i++)
      lines.push(`${(i % 13) + (i % 40) * 0.1 + ((i * 7919) % 101) / 50},${i % 10},g${i % 40}`);
    writeFileSync(join(dir, "d.csv"), `${lines.join("\n")}\n`);
    const r = spawnSync(
      "bash",
      [
        "-c",
        `set -o pipefail; "${process.execPath}" dist/cli/main.js fit "${join(dir, "d.csv")}" "y ~ x + (1|g)" --json --diagnostics | head -c 100 > /dev/null`,
      ],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});

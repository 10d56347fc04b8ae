/** Running the built `spruce` command (dist/cli/main.js; `npm test` builds it first) as a user would. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Wall time in milliseconds. */
  ms: number;
}

export function spruce(args: string[], timeoutMs = 60_000): CliResult {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ["dist/cli/main.js", ...args], {
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

/** A fresh temporary folder. */
export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), "spruce-reliability-"));
}

/** Write `text` to a file in a fresh temporary folder; returns its path. */
export function tempFile(name: string, text: string): string {
  const path = join(scratchDir(), name);
  writeFileSync(path, text);
  return path;
}

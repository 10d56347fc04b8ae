/**
 * scripts/check-structure.mjs (run by `npm test`) passes on the repository and catches each rule's violation in
 * a small tree made for the purpose: a long file, module-level state in assembly/, `any` at the wasm boundary and
 * an import cycle (a dynamic import counts).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("../../scripts/check-structure.mjs", import.meta.url));
const tree = mkdtempSync(join(tmpdir(), "spruce-structure-"));
afterAll(() => rmSync(tree, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(join(tree, path, ".."), { recursive: true });
  writeFileSync(join(tree, path), text);
}

describe("the structure check", () => {
  it("passes on the repository", () => {
    const out = execFileSync(process.execPath, [script], { encoding: "utf8" });
    expect(out).toMatch(/no import cycle/);
  });

  it("reports every kind of violation, naming the file", () => {
    write("src/a.ts", 'import { b } from "./b.js";\nexport const a = () => b;\n');
    write("src/b.ts", 'export async function b() {\n  return (await import("./a.js")).a;\n}\n');
    write("src/long.ts", "export const x = 1;\n".repeat(601));
    write("src/wasm/load.ts", "export function f(k: any): number {\n  return k;\n}\n");
    write("src/ok.ts", "// mentions any: any in a comment is fine\nexport const ok = 1;\n");
    write("assembly/memory.ts", "let allowed: i32 = 0;\n");
    write(
      "assembly/kernel.ts",
      "// let in a comment is fine\nlet state: i32 = 0;\nexport function k(): void {\n  let local = 1;\n}\n",
    );
    const r = spawnSync(process.execPath, [script], {
      encoding: "utf8",
      env: { ...process.env, SPRUCE_STRUCTURE_ROOT: tree },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/src\/long\.ts: 601 lines/);
    expect(r.stderr).toMatch(/assembly\/kernel\.ts:2: module-level mutable state/);
    expect(r.stderr).not.toMatch(/assembly\/memory\.ts/);
    expect(r.stderr).toMatch(/src\/wasm\/load\.ts:1: `any` at the wasm boundary/);
    expect(r.stderr).toMatch(/import cycle among: src\/a\.ts, src\/b\.ts/);
    expect(r.stderr).not.toMatch(/ok\.ts/);
    expect(r.stderr).toMatch(/structure check: 4 problem/);
  });
});

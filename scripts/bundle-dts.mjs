// The published declarations as three bundles (dist/index.d.ts, dist/internals.d.ts, dist/datasets/index.d.ts)
// and their shared chunks in dist/types/, instead of one .d.ts per module: the same types, a third of the bytes and
// a sixth of the files (each file in the tarball costs a header; issue 16: the tarball ≤ 250 kB). tsc writes the
// per-module declarations first (tsconfig.build.json); rollup-plugin-dts joins what the entry points reach.
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rollup } from "rollup";
import { dts } from "rollup-plugin-dts";

const entries = { index: "dist/index.d.ts", internals: "dist/internals.d.ts", "datasets/index": "dist/datasets/index.d.ts" };
const out = mkdtempSync(join(tmpdir(), "spruce-dts-"));
const bundle = await rollup({ input: entries, plugins: [dts()], external: [/node_modules/, /^[^./]/] });
await bundle.write({ dir: out, format: "es", chunkFileNames: "types/[name]-[hash].d.ts" });
await bundle.close();

function removeDeclarations(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) removeDeclarations(path);
    else if (e.name.endsWith(".d.ts")) rmSync(path);
  }
}
removeDeclarations("dist");
cpSync(out, "dist", { recursive: true });
rmSync(out, { recursive: true, force: true });
console.log(`bundle-dts: ${Object.keys(entries).length} entry points`);

#!/usr/bin/env node
/**
 * The structural rules of docs/architecture.md ("Structure"), checked by `npm test`:
 *   1. no source file in src/ or assembly/ over 600 lines;
 *   2. no module-level `let`/`var` in assembly/ outside the allocator (assembly/memory.ts): kernels keep their
 *      state in the context block they are given;
 *   3. no `any` at the wasm boundary (src/wasm/, and every module that imports the kernels' exports);
 *   4. no import cycle among the modules of src/ (type-only imports count: a cycle of types is still a cycle of
 *      concepts), dynamic import() included;
 *   5. the generated kernel contract (assembly/pls/contract.ts, src/wasm/contract.ts) is what
 *      scripts/contract/spec.mjs generates.
 * Prints every violation and exits 1 if there is any.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// SPRUCE_STRUCTURE_ROOT: check another tree (test/structure checks that each rule catches what it should)
const root = process.env.SPRUCE_STRUCTURE_ROOT ? resolve(process.env.SPRUCE_STRUCTURE_ROOT) : repo;
const MAX_LINES = 600;
const ALLOCATOR = "assembly/memory.ts";
const problems = [];

function files(dir, exts) {
  const out = [];
  for (const name of readdirSync(join(root, dir))) {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) out.push(...files(rel, exts));
    else if (exts.some((e) => name.endsWith(e))) out.push(rel);
  }
  return out;
}

/** Source text without comments and string contents (so that words in them do not count). */
function code(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, " "))
    .replace(/\/\/[^\n]*/g, "")
    .replace(/(["'`])(?:\\.|(?!\1)[^\\\n])*\1/g, '""');
}

const srcFiles = files("src", [".ts"]).filter((f) => !f.endsWith(".d.ts"));
const asmFiles = files("assembly", [".ts"]);

// 1. file length
for (const f of [...srcFiles, ...asmFiles]) {
  const lines = readFileSync(join(root, f), "utf8").split("\n").length - 1;
  if (lines > MAX_LINES) problems.push(`${f}: ${lines} lines (at most ${MAX_LINES})`);
}

// 2. module-level mutable state in assembly/
for (const f of asmFiles) {
  if (f === ALLOCATOR) continue;
  code(readFileSync(join(root, f), "utf8"))
    .split("\n")
    .forEach((line, i) => {
      if (/^(export\s+)?(let|var)\s/.test(line))
        problems.push(`${f}:${i + 1}: module-level mutable state (\`${line.trim()}\`): keep it in the context block`);
    });
}

// 3. any at the wasm boundary
for (const f of srcFiles) {
  const text = readFileSync(join(root, f), "utf8");
  const boundary = f.startsWith("src/wasm/") || /from\s+["'][./]*(?:\.\.\/)?wasm\/(load|contract)\.js["']/.test(text);
  if (!boundary) continue;
  code(text)
    .split("\n")
    .forEach((line, i) => {
      if (/(:\s*any\b|\bas\s+any\b|<any>|\bany\[\])/.test(line))
        problems.push(`${f}:${i + 1}: \`any\` at the wasm boundary: type it (src/wasm/contract.ts)`);
    });
}

// 4. import cycles
const graph = new Map();
for (const f of srcFiles) {
  // comments out, strings kept: the module specifiers are strings
  const text = readFileSync(join(root, f), "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/[^\n]*/gm, "");
  const deps = new Set();
  const re = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)["'](\.[^"']+)["']/g;
  for (const m of text.matchAll(re)) {
    const target = relative(root, resolve(root, dirname(f), m[1].replace(/\.js$/, ".ts")));
    if (srcFiles.includes(target)) deps.add(target);
  }
  graph.set(f, deps);
}
{
  // Tarjan's strongly connected components: every component with more than one module is a cycle.
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const sccs = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) sccs.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  for (const c of sccs) problems.push(`import cycle among: ${c.join(", ")}`);
}

// 5. the generated contract
try {
  execFileSync(process.execPath, [join(repo, "scripts/contract/generate.mjs"), "--check"], { stdio: "pipe" });
} catch (e) {
  problems.push(String(e.stderr ?? e.message).trim());
}

if (problems.length) {
  console.error(`structure check: ${problems.length} problem(s)\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(
  `structure check: ${srcFiles.length + asmFiles.length} files ≤ ${MAX_LINES} lines, no module-level let/var in assembly/, no any at the wasm boundary, no import cycle, contract up to date`,
);

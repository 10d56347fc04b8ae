// Writes src/datasets/<name>-csv.ts from examples/<name>.csv: the bundled example data as importable modules (the
// CSV text, read by parseCsv), so that `import { datasets } from "spruce-lmm"` works in Node, bundlers and browsers
// alike. test/frame/datasets.test.ts checks that each module still holds the bytes of its examples/ file.
// Run after changing examples/*.csv: `node scripts/make-datasets.mjs`.
import { readFileSync, writeFileSync } from "node:fs";

for (const name of ["sitka", "sleepstudy"]) {
  const text = readFileSync(new URL(`../examples/${name}.csv`, import.meta.url), "utf8");
  const out = new URL(`../src/datasets/${name}-csv.ts`, import.meta.url);
  writeFileSync(
    out,
    `// examples/${name}.csv (see examples/README.md), made by scripts/make-datasets.mjs. Do not edit.\n` +
      `export const ${name}Csv: string =\n  ${JSON.stringify(text)};\n`,
  );
}

// The published JavaScript without comments and layout: the package ships dist/, not src/, so the comments (which
// document src/ for its readers) would only add weight to every install (issue 16: the tarball ≤ 250 kB).
// esbuild drops comments and layout; terser's mangler then shortens local names. Function and class names are kept
// (keep_fnames also keeps a variable that holds a function, `const evaluate = (…) => …`), so stack traces still
// name spruce's functions; terser's compressor is not run (esbuild's syntax pass has done that part). The
// declarations are joined afterwards by scripts/bundle-dts.mjs.
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { minify } from "terser";

function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return jsFiles(path);
    return e.name.endsWith(".js") ? [path] : [];
  });
}

const files = jsFiles("dist");
buildSync({
  entryPoints: files,
  outdir: "dist",
  outbase: "dist",
  allowOverwrite: true,
  bundle: false,
  format: "esm",
  platform: "neutral",
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "none",
  logLevel: "warning",
});
// A module of types only (fit/engine.ts, the result interfaces) compiles to an empty file that nothing imports at
// run time (its imports are type-only, which tsc elides); in the tarball each file still costs a header.
const empty = files.filter((f) => statSync(f).size === 0);
for (const f of empty) rmSync(f);
const kept = files.filter((f) => !empty.includes(f));
for (const f of kept) {
  const { code } = await minify(readFileSync(f, "utf8"), {
    module: true,
    ecma: 2022,
    compress: false,
    mangle: { keep_fnames: true, keep_classnames: true },
    format: { comments: false },
  });
  writeFileSync(f, code);
}
console.log(`minify-dist: ${kept.length} files, ${empty.length} empty (types only) removed`);

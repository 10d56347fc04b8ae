// The published JavaScript without comments and layout: the package ships dist/, not src/, so the comments (which
// document src/ for its readers) would only add weight to every install (issue 16: the tarball ≤ 250 kB).
// Names are kept (no identifier mangling), so stack traces still name spruce's functions. The declarations
// are joined afterwards by scripts/bundle-dts.mjs.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { buildSync } from "esbuild";

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
console.log(`minify-dist: ${files.length} files`);

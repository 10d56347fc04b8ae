/**
 * The web app (issue 6): `npm run web` serves it, `npm run build:web` writes web/dist (any static server will do).
 *
 * The page imports the library straight from src/ (TypeScript, `.js` suffixes resolved to `.ts` by Vite), so the
 * Node build and the page run the same code. build/spruce.wasm is reached by `new URL(..., import.meta.url)` in
 * src/wasm/load.ts, which Vite turns into a hashed asset in both the page and the worker bundles.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));

export default defineConfig({
  // Relative asset URLs: the built folder works from any path on any static server.
  base: "./",
  server: {
    // The page's modules live outside web/: src/, build/spruce.wasm and examples/*.csv.
    fs: { allow: [repoRoot] },
  },
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    // The wasm must stay a separate file: inlining it as base64 would defeat WebAssembly.compileStreaming-style loading.
    assetsInlineLimit: (file) => (file.endsWith(".wasm") ? false : undefined),
    chunkSizeWarningLimit: 1000,
    // The library imports its Node-only modules both statically and dynamically; splitting them changes nothing.
    rolldownOptions: { checks: { ineffectiveDynamicImport: false } },
  },
});

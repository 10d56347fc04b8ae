// Comlink is imported from its ES module build, "comlink/dist/esm/comlink.mjs", not as "comlink": the package has
// no "exports", so Node resolves a bare "comlink" to its UMD file, which is CommonJS, and runs Node's CommonJS
// export lexer over it in every thread that imports it (each bootstrap worker, while it starts). The .mjs file is
// the same API as an ES module; browsers and bundlers take it as well. This pairs it with Comlink's declarations.
declare module "comlink/dist/esm/comlink.mjs" {
  export * from "comlink";
}

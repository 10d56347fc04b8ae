// Types for `require("spruce-lmm")` (Node >= 20.19 loads the ES module; see index.cjs).
export * from "../dist/index.js";

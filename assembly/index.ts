// Entry point of the wasm module: every exported kernel is re-exported here.
export { alloc, free } from "./memory";
export { plsEvaluate, plsMinvBlocks } from "./pls/blocked";
export * from "./linalg/dense";
export { plsResponseStatistics, plsStatistics } from "./pls/statistics";

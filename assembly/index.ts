// Entry point of the wasm module: every exported kernel is re-exported here. The list of exports, with their
// types, is declared in scripts/contract/spec.mjs (test/engine/contract.test.ts checks the two agree).
export { alloc, free } from "./memory";
export { plsContextBytes, plsPrepare, plsWorkLength } from "./pls/workspace";
export { plsEvaluate } from "./pls/deviance";
export { plsMinvBlocks } from "./pls/minv";
export { nearbyRefitWorkLength, plsNearbyRefit } from "./refit/nearby";
export * from "./linalg/dense";
export {
  kernelTeamBytes,
  kernelTeamInit,
  kernelTeamJoin,
  kernelTeamPoll,
  kernelTeamRetire,
  kernelTeamServing,
  kernelTeamStop,
  kernelWorkspaceBytes,
} from "./linalg/team";
export { kernelTeamRun } from "./pls/team-tasks";
export { plsResponseStatistics, plsStatistics } from "./pls/statistics";
export { plsLevelPairs } from "./pls/pattern";
export { sparseCholesky, sparseSelectedInverse } from "./sparse/cholesky";
export { minimumDegreeOrder } from "./sparse/min-degree";
export { trailingGraphLists } from "./sparse/block-graph";
export { glmmPirls } from "./glmm/pirls";
export { glmmLaplaceGradient } from "./glmm/gradient";
export { glmmPredictModes } from "./glmm/predict";

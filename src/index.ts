// Public API of spruce-lmm. Re-exported module by module as they land.

export type { DesignDescription, NewDataDesign } from "./design/index.js";
export { buildDesign, describeDesign, newDataDesign, thetaNames, varCorrGroupNames } from "./design/index.js";
export type { Design, DesignBuffers, RandomTerm } from "./design/types.js";
export {
  cooksDistance,
  diagnosticsJson,
  type FittedLmm,
  hatvalues,
  qqCoordinates,
  ranefCondVar,
  ranefQQ,
  residualQQ,
  residuals,
} from "./diagnostics/index.js";
export { chiSquareUpper, dchisq } from "./distributions/chisq.js";
export { dnorm, normalCdf, qnorm } from "./distributions/normal.js";
export { DataError, ModelError, SpruceError } from "./errors.js";
export type { PlsEngine, PlsSolution } from "./fit/engine.js";
export { type FitDesignOptions, type FitOptions, fit, fitDesign, modelAtTheta } from "./fit/fit.js";
export { type CoefGroup, LinearMixedModel, type OptimizerReport, type RanefGroup } from "./fit/model.js";
export { minimizeBounded, nelderMead } from "./fit/optimize.js";
export type { VarCorrRow } from "./fit/varcorr.js";
export { createEngine, createWasmEngine } from "./fit/wasm-engine.js";
export { analyzeFormula, FormulaError, parseFormula } from "./formula/index.js";
export type { DataFrame, DataInput } from "./frame/index.js";
export { fromColumns, fromRecords, parseCsv, readCsv } from "./frame/index.js";
export { glmmAnova } from "./glmm/anova.js";
export { type GlmmBootstrapResult, glmmBootstrapLRT } from "./glmm/bootstrap.js";
export type { GlmmFitOptions } from "./glmm/dispatch.js";
export { type Family, type FamilyName, makeFamily } from "./glmm/family.js";
export { type FamilyOption, fitGlmm, type GlmmOptions } from "./glmm/fit.js";
export {
  GeneralizedLinearMixedModel,
  type GlmmPredictOptions,
  type GlmmResidualType,
} from "./glmm/model.js";
export { type GlmmJson, glmmJson, glmmSummaryText } from "./glmm/report.js";
export type { AnovaOptions, AnovaResult, AnovaRow } from "./inference/anova.js";
export { anova, anovaSummary, formatAnova } from "./inference/anova.js";
export type {
  BootstrapLrtResult,
  BootstrapRunOptions,
  Failures,
  ParameterBootstrapResult,
} from "./inference/bootstrap.js";
export { bootstrap, bootstrapLRT, bootstrapLrtJson, createWorkerPool } from "./inference/bootstrap.js";
export {
  bootPercentileIntervals,
  type ConfintMethod,
  type ConfintOptions,
  confint,
  confintJson,
  type IntervalTable,
  normInter,
  waldIntervals,
} from "./inference/confint.js";
export { profileIntervals, varianceParameterNames } from "./inference/profile.js";
export type { ModelParameters, SimulateOptions, SimulationResult } from "./inference/simulate.js";
export { ResponseSimulator, simulateResponses } from "./inference/simulate.js";
export { simulate } from "./inference/simulate-model.js";
export type { PoolOptions, PoolResult, WorkerFactory, WorkerHandle } from "./parallel/pool.js";
export { runReplicates, WorkerPool } from "./parallel/pool.js";
export {
  cooksDistanceSvg,
  lrtBootstrapSvg,
  type NamedPlot,
  observedFittedSvg,
  plotBootstrapLrtResult,
  plotLrtBootstrap,
  plotModel,
  qqPanelsSvg,
  qqSvg,
  residualsVsFittedSvg,
} from "./plot/index.js";
export { philox4x32 } from "./random/philox.js";
export { RandomStream } from "./random/stream.js";
export { type FitJson, fitJson } from "./report/json.js";
export { summaryText } from "./report/summary.js";
export { compileKernels, instantiateKernels, loadKernels } from "./wasm/load.js";

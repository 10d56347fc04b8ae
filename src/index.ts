// Public API of spruce-lmm. Re-exported module by module as they land. The engine, optimiser, random streams,
// worker pool and kernel loader are reached through "spruce-lmm/internals" (src/internals.ts), not from here.

export { type Datasets, datasetCsv, datasets } from "./datasets/index.js";
// Types in the signatures of the GLMM, ddf, shard/power, lm and lecture-plot exports (merged from their issues;
// test/package/public-types.test.ts checks that none is missing).
export type { BuildOptions, DesignOptions } from "./design/build.js";
export type { DesignDescription, NewDataDesign } from "./design/index.js";
export { buildDesign, describeDesign, thetaNames, varCorrGroupNames } from "./design/index.js";
export type { RandomPartTerm } from "./design/linear-predictor.js";
export type { ContrastKind } from "./design/model-matrix.js";
export type { OrderedLevels } from "./design/ordered.js";
export type { Design, DesignBuffers, RandomTerm } from "./design/types.js";
export type { RanefCondVar } from "./diagnostics/condvar.js";
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
// Types that appear in the signatures above (test/package/public-types.test.ts checks that none is missing).
export type { DiagnosticsJson, Unboxed } from "./diagnostics/json.js";
export type { QQCoordinates, RanefQQ } from "./diagnostics/qq.js";
export type { ResidualOptions, ResidualType } from "./diagnostics/residuals.js";
// Sharded bootstraps and power by simulation (issue 17): shards, their files and merge; power curves.
export { clopperPearson, pbeta, qbeta } from "./distributions/beta.js";
export { chiSquareUpper, dchisq } from "./distributions/chisq.js";
export { dnorm, normalCdf, qnorm } from "./distributions/normal.js";
export { ArgumentError, DataError, ModelError, SpruceError } from "./errors.js";
export type { PlsEngine, PlsSolution } from "./fit/engine.js";
export { type FitDesignOptions, type FitOptions, type FitResult, fit, fitMixed } from "./fit/fit.js";
export { fromJSON, isSingular, logLik, REMLcrit, refit, sigma, update, VarCorr } from "./fit/lme4-names.js";
export type { ModelInit, NewDataBuilder, PredictOptions, ResidualsOptions } from "./fit/model.js";
export { type CoefGroup, LinearMixedModel, type OptimizerReport, type RanefGroup } from "./fit/model.js";
// Engine options a replicate engine factory receives (the trailing block's factor: issue 15's sparse path).
export type { SparseTrailingPlan, TrailingFactor } from "./fit/sparse-trailing/plan.js";
export type { VarCorrBlock, VarCorrRow } from "./fit/varcorr.js";
export type { WasmEngineOptions } from "./fit/wasm-engine.js";
export type {
  BinaryNode,
  BinaryOp,
  CallNode,
  Expr,
  NameNode,
  NumberNode,
  ParenNode,
  Span,
  UnaryNode,
} from "./formula/ast.js";
export { analyzeFormula, FormulaError, parseFormula } from "./formula/index.js";
export type { ModelSpec, RandomSpec } from "./formula/model.js";
export type { ParsedFormula } from "./formula/parser.js";
export type { Term, TermsSpec } from "./formula/terms.js";
export type { CellValue, Column, TableLike } from "./frame/frame.js";
export type { DataFrame, DataInput } from "./frame/index.js";
export { fromColumns, fromRecords, parseCsv, readCsv } from "./frame/index.js";
export { glmmAnova } from "./glmm/anova.js";
export { type GlmmBootstrapResult, glmmBootstrapLRT } from "./glmm/bootstrap.js";
export type { GlmmFitOptions } from "./glmm/dispatch.js";
export { type Family, type FamilyName, makeFamily } from "./glmm/family.js";
export { type FamilyOption, fitGlmm, type GlmmOptions } from "./glmm/fit.js";
export type { GlmmFitResult } from "./glmm/fit-glmm.js";
export type { Link, LinkName } from "./glmm/link.js";
export type { GlmmInit } from "./glmm/model.js";
export {
  GeneralizedLinearMixedModel,
  type GlmmPredictOptions,
  type GlmmResidualType,
} from "./glmm/model.js";
export type { GlmmData, PirlsState } from "./glmm/pirls.js";
export { type GlmmJson, glmmJson, glmmSummaryText } from "./glmm/report.js";
export type { GlmmView } from "./glmm/view.js";
export type { AnovaOptions, AnovaResult, AnovaRow } from "./inference/anova.js";
export { anova, anovaSummary, formatAnova } from "./inference/anova.js";
export type { MergeInfo } from "./inference/boot-shard.js";
export { bootstrapLrtShard, type LrtShardOptions, mergeLrtShards } from "./inference/boot-shard.js";
export type {
  BootstrapLrtResult,
  BootstrapRunOptions,
  Failures,
  ParameterBootstrapResult,
  RunInfo,
} from "./inference/bootstrap.js";
export { bootstrap, bootstrapLRT, bootstrapLrtJson, createWorkerPool } from "./inference/bootstrap.js";
export type { IntervalJson, ParameterReplicate } from "./inference/confint.js";
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
export type { ContrastTests } from "./inference/ddf/contest.js";
export type { AnovaType } from "./inference/ddf/hypotheses.js";
export {
  type CoefTable,
  type ContestOptions,
  coefTable,
  contest,
  type DdfMethod,
  type FixedAnovaOptions,
  type FixedAnovaTable,
  type FTest,
  fixedEffectsAnova,
  formatCoefTable,
  formatFixedAnova,
  type TTest,
} from "./inference/ddf/index.js";
export type { DdfModel } from "./inference/ddf/model.js";
export { extendAlong } from "./inference/extend.js";
export type { FittedModel, MlFit } from "./inference/models.js";
export { checkNested, notNestedReason } from "./inference/nesting.js";
export type { PowerMethod } from "./inference/power.js";
export { type PowerOptions, type PowerPoint, type PowerResult, powerJson } from "./inference/power.js";
export { mergePowerShards, powerShard, powerSimulation } from "./inference/power-run.js";
export type { EngineFactory, ProfileOptions } from "./inference/profile.js";
export { profileIntervals, varianceParameterNames } from "./inference/profile.js";
export type { ShardHeader, ShardRange, ShardReplicate } from "./inference/shard.js";
export {
  type CombinedShards,
  combineShards,
  parseShard,
  type ShardFile,
  type ShardSelection,
  shardFromEnvironment,
  shardFromJson,
  shardRange,
  shardToJson,
} from "./inference/shard.js";
export type { ModelParameters, SimulateOptions, SimulationResult } from "./inference/simulate.js";
export { simulate } from "./inference/simulate-model.js";
export {
  type AnyModel,
  anovaLm,
  anovaMixedLm,
  BOUNDARY_NOTE,
  type FTestResult,
  formatFTest,
  fTestJson,
} from "./lm/anova.js";
export { fitLinearModel } from "./lm/fit.js";
export { type CoefficientRow, LinearModel, type LmSummary } from "./lm/model.js";
export type { QrDecomposition } from "./lm/qr.js";
export { type LmJson, lmJson, lmSummaryText } from "./lm/report.js";
export type {
  EngineFactory as ReplicateEngineFactory,
  ModelJobBuilder,
  ReplicateJob,
} from "./parallel/job.js";
export type { PoolOptions, PoolResult, WorkerFactory, WorkerHandle, WorkerPool } from "./parallel/pool.js";
// GLMM bootstrap on the worker pool (issue 12, round two).
export type {
  BatchResult,
  FaultPlan,
  GlmmLrtJobSpec,
  GlmmModelSpec,
  JobSpec,
  LrtJobSpec,
  ModelSpec as JobModelSpec,
  ParamsJobSpec,
  PowerJobSpec,
  SelfTestJobSpec,
  WorkerApi,
} from "./parallel/protocol.js";
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
export { plotGroupLines, plotResidualsByGroup } from "./plot/lecture-model.js";
export type { GroupLine, GroupLinesInput, ResidualsByGroupInput } from "./plot/lecture-plots.js";
export { type BoxStats, groupedBoxStats, groupLinesSvg, residualsByGroupSvg } from "./plot/lecture-plots.js";
export type { PlotModelOptions } from "./plot/model-plots.js";
export type {
  CooksInput,
  GroupSeries,
  LrtBootstrapInput,
  ObservedFittedInput,
  PlotSize,
  QQInput,
  QQPanelsInput,
  ResidualsVsFittedInput,
} from "./plot/plots.js";
export type { PowerCurveInput } from "./plot/power-curve.js";
export { powerCurveSvg } from "./plot/power-curve.js";
export type { RStreamSpec } from "./random/r-rng.js";
export type { RandomStream } from "./random/stream.js";
export { type FitJson, fitJson } from "./report/json.js";
export type { Plain } from "./report/plain.js";
export { toPlain, withPlainJson } from "./report/plain.js";
export type { SummaryOptions } from "./report/summary.js";
export { summaryText } from "./report/summary.js";
export type { FittedModelView } from "./report/view.js";
export {
  MAX_DENSE_BLOCK_DEFAULT,
  MAX_FILE_BYTES_DEFAULT,
  MAX_NSIM_DEFAULT,
  MAX_THETA_DEFAULT,
} from "./validate/limits.js";
export { initKernels, type KernelSource } from "./wasm/load.js";

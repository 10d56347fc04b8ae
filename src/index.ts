// Public API of spruce-lmm. Re-exported module by module as they land.

export type { DesignDescription, NewDataDesign } from "./design/index.js";
export { buildDesign, describeDesign, newDataDesign, thetaNames, varCorrGroupNames } from "./design/index.js";
export type { Design, DesignBuffers, RandomTerm } from "./design/types.js";
export { DataError, ModelError, SpruceError } from "./errors.js";
export type { PlsEngine, PlsSolution } from "./fit/engine.js";
export { analyzeFormula, FormulaError, parseFormula } from "./formula/index.js";
export type { DataFrame, DataInput } from "./frame/index.js";
export { fromColumns, fromRecords, parseCsv, readCsv } from "./frame/index.js";
export { compileKernels, instantiateKernels, loadKernels } from "./wasm/load.js";

/** Diagnostics of a fitted linear mixed model, with lme4's definitions. */
export { type RanefCondVar, ranefCondVar } from "./condvar.js";
export { hatvalues } from "./hat.js";
export { type DiagnosticsJson, diagnosticsJson } from "./json.js";
export type { FittedLmm } from "./model.js";
export { ppoints, type QQCoordinates, qqCoordinates, type RanefQQ, ranefQQ, residualQQ } from "./qq.js";
export { cooksDistance, fitted, type ResidualOptions, type ResidualType, residuals } from "./residuals.js";

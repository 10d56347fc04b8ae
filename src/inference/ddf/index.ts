export { type ContrastTests, combinedDdf, contrastTests, type FTest, type TTest } from "./contest.js";
export { type AnovaType, type TermHypothesis, termHypotheses } from "./hypotheses.js";
export { type KenwardRogerParts, kenwardRogerParts } from "./kenward-roger.js";
export { type MarginalCovariance, marginalCovariance } from "./marginal.js";
export { type DdfMethod, type DdfModel, parseDdfMethod } from "./model.js";
export { type SatterthwaiteParts, satterthwaiteParts } from "./satterthwaite.js";
export {
  type CoefTable,
  type ContestOptions,
  coefTable,
  contest,
  type FixedAnovaOptions,
  type FixedAnovaTable,
  fixedEffectsAnova,
  formatCoefTable,
  formatFixedAnova,
} from "./tables.js";

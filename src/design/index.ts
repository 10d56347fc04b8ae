// The design layer: formula + data → Design (see types.ts for the contract).
export {
  buildDesign,
  buildDesignFromSpec,
  buildModelFrame,
  type DesignOrigin,
  designOrigin,
  type ModelFrame,
  orderTerms,
} from "./build.js";
export {
  type DesignDescription,
  describeDesign,
  makeUnique,
  thetaNames,
  varCorrGroupNames,
} from "./describe.js";
export { type ModelColumns, modelMatrix, type RowVariable } from "./model-matrix.js";
export { type NewDataDesign, newDataDesign } from "./newdata.js";
export { keepFullRank } from "./rank.js";
export * from "./types.js";

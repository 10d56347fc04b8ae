// The lme4 formula language: parse, expand into R's terms, name things as R does.
export type { Expr } from "./ast.js";
export { deparse, formatRNumber } from "./deparse.js";
export { FormulaError } from "./errors.js";
export { analyzeFormula, type ModelSpec, type RandomSpec } from "./model.js";
export { type ParsedFormula, parseExpression, parseFormula } from "./parser.js";
export { expandTerms, type Term, type TermsSpec } from "./terms.js";

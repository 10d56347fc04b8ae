/**
 * lme4's numerical conventions, one home (docs/architecture.md, "The optimiser").
 */

/**
 * lme4's convergence tolerance (checkConv's check.conv.grad, tol = 2e-3): a fit whose largest scaled gradient
 * component is above it did not converge; used for fits, bootstrap refits and the noise floor of refits.
 */
export const LME4_GRADIENT_TOLERANCE = 2e-3;

/** lme4's isSingular tolerance: a diagonal θ below this is at its bound. */
export const SINGULAR_TOLERANCE = 1e-4;

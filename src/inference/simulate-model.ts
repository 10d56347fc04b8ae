/**
 * `simulate(model, { nsim, seed })`: responses drawn from a fitted model (lme4's simulate.merMod with
 * use.u = FALSE): y* = Xβ̂ + σ̂(ZΛ̂u* + ε*). Kept apart from ./simulate.ts so the workers, which import that
 * module, do not load the fitting layer.
 */
import { withPlainJson } from "../report/plain.js";
import { SIMULATE_OPTIONS } from "../validate/known-options.js";
import { checkArgument, checkOptions, isFittedModel } from "../validate/options.js";
import { type FittedModel, modelSpec } from "./models.js";
import { type SimulateOptions, type SimulationResult, simulateResponses } from "./simulate.js";

export function simulate(model: FittedModel, options: SimulateOptions = {}): SimulationResult {
  checkArgument("simulate", "model", model, isFittedModel);
  checkOptions("simulate", options, SIMULATE_OPTIONS);
  return withPlainJson(simulateResponses(modelSpec(model), options));
}

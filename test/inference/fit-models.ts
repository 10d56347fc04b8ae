/** Fitting the reference models for the inference tests: formula + data through the product's own layers. */
import { buildDesign } from "../../src/design/build.js";
import { designBuffers } from "../../src/design/types.js";
import { fitDesign } from "../../src/fit/fit.js";
import type { LinearMixedModel } from "../../src/fit/model.js";
import { createEngine } from "../../src/fit/wasm-engine.js";
import { readCsv } from "../../src/frame/csv.js";
import type { DataInput } from "../../src/frame/frame.js";
import { conformanceDir } from "../support/fixtures.js";

export function fixtureData(name: "sleepstudy" | "sitka"): DataInput {
  return readCsv(`${conformanceDir}/data/${name}.csv`);
}

export async function fitModel(formula: string, data: DataInput, REML: boolean): Promise<LinearMixedModel> {
  const design = buildDesign(formula, data);
  return fitDesign(design, await createEngine(designBuffers(design)), { REML });
}

export const SITKA_MM0 = "size ~ time+I(time^2) + (time+I(time^2)|tree)";
export const SITKA_MM1 = "size ~ treat*(time+I(time^2)) + (time+I(time^2)|tree)";
export const SLEEP_INT = "Reaction ~ Days + (1|Subject)";
export const SLEEP_SLOPE = "Reaction ~ Days + (Days|Subject)";
export const SLEEP_UNCORR = "Reaction ~ Days + (Days||Subject)";

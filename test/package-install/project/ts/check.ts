// Type-checked with moduleResolution "bundler" and "node16": the public types resolve and can be named.
import {
  type BootstrapLrtResult,
  bootstrapLRT,
  type DataInput,
  datasets,
  type FitOptions,
  fit,
  type KernelSource,
  type LinearMixedModel,
  type PredictOptions,
  VarCorr,
  type VarCorrBlock,
} from "spruce-lmm";
import { datasets as bundled } from "spruce-lmm/datasets";
import { createWasmEngine } from "spruce-lmm/internals";

const options: FitOptions = { REML: false };
const data: DataInput = datasets.sleepstudy;
const source: KernelSource = new Uint8Array(0);
const m: LinearMixedModel = await fit("Reaction ~ Days + (Days|Subject)", data, options);
const blocks: VarCorrBlock[] = VarCorr(m);
const predict: PredictOptions = { random: false };
const boot: BootstrapLrtResult = await bootstrapLRT(m, m, { nsim: 1 });
export const sitka = bundled.sitka;
export { blocks, boot, createWasmEngine, predict, source };

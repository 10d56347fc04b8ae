/**
 * `spruce boot … --shard k/K|auto [--shards K] [--out FILE]`: one shard of the likelihood-ratio bootstrap, written
 * as a shard file for `spruce merge` (src/inference/shard.ts describes the cut and the file).
 */
import { SpruceError } from "../../errors.js";
import { fitMixed as fitModel } from "../../fit/fit.js";
import { readCsv } from "../../frame/csv.js";
import type { DataFrame } from "../../frame/frame.js";
import type { GeneralizedLinearMixedModel } from "../../glmm/model.js";
import { bootstrapLrtShard } from "../../inference/boot-shard.js";
import type { FittedModel } from "../../inference/models.js";
import { requireSeed, selectShard, writeShard } from "./shard-io.js";

export interface BootShardOptions {
  nsim: number;
  seed: number | undefined;
  workers: number;
  ml?: boolean;
  shard?: string;
  shards?: string;
  out?: string;
  json?: boolean;
  /** How the two models are fitted (default: linear mixed models, REML unless `ml`); the GLMM command's fits. */
  fitModels?: (
    data: DataFrame,
  ) => Promise<[FittedModel | GeneralizedLinearMixedModel, FittedModel | GeneralizedLinearMixedModel]>;
}

export async function runBootShard(
  dataPath: string,
  [f0, f1]: [string, string],
  options: BootShardOptions,
): Promise<void> {
  if (options.json)
    throw new SpruceError(
      "--json does not apply to a shard (the shard file is JSON); spruce merge --json prints the result",
    );
  const shard = selectShard(options.shard, options.shards);
  requireSeed(shard, options.seed);
  const data = readCsv(dataPath);
  const [m0, m1] = options.fitModels
    ? await options.fitModels(data)
    : [await fitModel(f0, data, { REML: !options.ml }), await fitModel(f1, data, { REML: !options.ml })];
  const file = await bootstrapLrtShard(m0, m1, {
    nsim: options.nsim,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    workers: options.workers,
    shard,
    formulas: [f0, f1],
  });
  writeShard(file, options.out);
}

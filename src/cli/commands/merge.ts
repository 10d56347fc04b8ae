/**
 * `spruce merge SHARD.json… [--json] [--partial]`: check that shard files belong to one run (same kind, spruce
 * version, RNG scheme, seed, nsim, data hash and job), gather their replicates by index (a rerun shard's identical
 * replicates are kept once; different results for one index are an error naming it), refuse missing replicates
 * (named by index) unless --partial, and print exactly what the one-machine command prints: `spruce boot`'s
 * report for bootstrap shards, `spruce power`'s for power shards.
 */
import type { Command } from "commander";
import { SpruceError } from "../../errors.js";
import { mergeLrtShards } from "../../inference/boot-shard.js";
import { bootstrapLrtJson } from "../../inference/bootstrap.js";
import { combineShards, formatRanges } from "../../inference/shard.js";
import { formatBootstrap } from "./boot.js";
import { printMergedPower } from "./power.js";
import { readShards } from "./shard-io.js";

export function registerMerge(program: Command): void {
  program
    .command("merge")
    .description(
      "merge the shard files of `spruce boot --shard` or `spruce power --shard` into the one-machine result",
    )
    .argument("<files...>", "shard files (any order; a rerun shard may be given beside the first try)")
    .option("--json", "print the JSON of the one-machine command")
    .option(
      "--partial",
      "report the replicates present even when some are missing (listed on standard error)",
    )
    .option("--plot <file.svg>", "power shards: also write the power curve as SVG")
    .action(async (paths: string[], options: { json?: boolean; partial?: boolean; plot?: string }) => {
      const combined = combineShards(readShards(paths));
      if (combined.duplicates > 0)
        process.stderr.write(
          `merge: ${combined.duplicates} replicates were in more than one shard (identical, kept once)\n`,
        );
      if (combined.missing.length > 0 && options.partial)
        process.stderr.write(`merge: missing replicates ${formatRanges(combined.missing)}\n`);
      if (combined.header.kind === "power") {
        printMergedPower(combined, options);
        return;
      }
      if (options.plot !== undefined)
        throw new SpruceError("--plot draws power curves; these are bootstrap shards (spruce boot --shard)");
      const result = mergeLrtShards(combined, options.partial === true);
      if (options.json) {
        for (const m of result.messages) process.stderr.write(`${m}\n`);
        process.stdout.write(`${JSON.stringify(bootstrapLrtJson(result))}\n`);
        return;
      }
      process.stdout.write(`${formatBootstrap(result)}\n`);
    });
}

/**
 * `npm run bench`: every benchmark of the project, printed as tables (tinybench; times in ms).
 * Each suite lives beside the others in bench/ and exports `run()`; suites that do not exist yet are skipped.
 */
const suites = [
  "./engine.bench.ts",
  "./fit.bench.ts",
  "./bootstrap.bench.ts",
  "./cold.bench.ts",
  "./ddf.bench.ts",
  "./shard.bench.ts",
  "./glmm.bench.ts",
  "./scale.bench.ts",
  "./sparse.bench.ts",
  "./scaling.bench.ts",
  "./insteval.bench.ts",
  "./browser.bench.ts",
];

for (const suite of suites) {
  let mod: { run?: () => Promise<void> };
  try {
    mod = await import(suite);
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_MODULE_NOT_FOUND") continue;
    throw error;
  }
  if (mod.run) await mod.run();
}

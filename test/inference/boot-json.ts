/** Keys the JSON of a bootstrap LRT must have (bootstrapLrtJson and `spruce boot --json`), asserted in both. */
export const BOOT_LRT_JSON_KEYS = [
  "observed",
  "nsim",
  "pChisq",
  "pBootstrap",
  "pExceed",
  "stats",
  "failures",
  "workers",
  "elapsedMs",
];

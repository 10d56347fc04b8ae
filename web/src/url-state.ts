/**
 * The analysis in the page's address (the part after #), so that a reload or a shared link restores it: the data
 * (an example's name, or a file's name that the person loads again), both formulas, the criterion (or the GLMM
 * family and link) and the bootstrap's settings. Written with history.replaceState (no history entry per keystroke).
 */
export interface AnalysisState {
  data?: string;
  m0?: string;
  m1?: string;
  criterion?: "REML" | "ML";
  /** GLMM family and link (absent: gaussian, a linear mixed model). */
  family?: string;
  link?: string;
  nsim?: number;
  seed?: number;
  /** Whether the bootstrap was run (the link then reruns it: same seed, same numbers). */
  boot?: boolean;
}

export function readState(hash = location.hash): AnalysisState {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const state: AnalysisState = {};
  const data = params.get("data");
  if (data) state.data = data;
  const m0 = params.get("m0");
  if (m0) state.m0 = m0;
  const m1 = params.get("m1");
  if (m1) state.m1 = m1;
  const criterion = params.get("criterion");
  if (criterion === "REML" || criterion === "ML") state.criterion = criterion;
  const family = params.get("family");
  if (family) state.family = family;
  const link = params.get("link");
  if (link) state.link = link;
  const nsim = Number(params.get("nsim"));
  if (params.has("nsim") && Number.isSafeInteger(nsim) && nsim > 0) state.nsim = nsim;
  const seed = Number(params.get("seed"));
  if (params.has("seed") && Number.isSafeInteger(seed) && seed >= 0) state.seed = seed;
  if (params.get("boot") === "1") state.boot = true;
  return state;
}

export function writeState(state: AnalysisState): void {
  const params = new URLSearchParams();
  if (state.data) params.set("data", state.data);
  if (state.m0) params.set("m0", state.m0);
  if (state.m1) params.set("m1", state.m1);
  if (state.criterion) params.set("criterion", state.criterion);
  if (state.family) params.set("family", state.family);
  if (state.link) params.set("link", state.link);
  if (state.nsim !== undefined) params.set("nsim", String(state.nsim));
  if (state.seed !== undefined) params.set("seed", String(state.seed));
  if (state.boot) params.set("boot", "1");
  history.replaceState(null, "", `#${params.toString()}`);
}

/** Merge into the state in the address. */
export function updateState(change: Partial<AnalysisState>): void {
  writeState({ ...readState(), ...change });
}

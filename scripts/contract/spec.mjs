/**
 * The kernel contract, declared once: everything TypeScript and the wasm kernels share. `npm run contract`
 * (scripts/contract/generate.mjs) writes both sides from it:
 *   assembly/pls/contract.ts — the context block as an @unmanaged class (one 4-byte field per slot, in this
 *                              order), the mode bits and the output slots;
 *   src/wasm/contract.ts     — the slot numbers, the buffers with their lengths, the mode bits, the output slots
 *                              and the typed kernel exports.
 * `npm test` (scripts/check-structure.mjs) fails when the committed files differ from what this spec generates.
 * docs/architecture.md ("The kernel contract") walks through adding a kernel.
 */

/**
 * The context block of one engine: sizes (written by TypeScript from the blocked layout), pointers to the
 * buffers TypeScript allocates (lengths from the dimensions below), and pointers into the kernels' own scratch
 * that plsPrepare derives once (TypeScript never writes those).
 */
export const sizes = [
  ["nTerms", "number of random-effects terms (terms on one grouping factor are one: src/fit/factor-blocks.ts)"],
  ["t0", "index of term 1, the term eliminated level by level"],
  ["p1", "columns of term 1"],
  ["l1", "levels of term 1"],
  ["qRest", "random effects of the other terms (the random rows of the trailing block)"],
  ["pX", "fixed-effects columns"],
  ["nd", "order of the trailing block: qRest + pX + 1 (y last)"],
  ["nObs", "observations"],
  ["nnzRows", "total length of the row lists R_g"],
  ["maxR", "longest row list R_g"],
  ["sparse", "1 when the trailing block stays sparse (nested factors): plain loops that skip zeros"],
  ["nRest", "nTerms − 1"],
  ["q1", "l1·p1"],
  ["tplTotal", "Σ_t p_t², the templates' total length"],
  ["pMax", "largest p_t"],
  ["spOn", "1 when the trailing block is factored by the sparse Cholesky (src/fit/sparse-trailing/, assembly/sparse/)"],
  ["spNnz", "entries of the sparse trailing factor's lower triangle (0 on the dense path)"],
  ["team", "address of the kernel team block (assembly/linalg/team.ts) the dense kernels share work with, 0 for none"],
  ["spPairs", "entries of spPair, the per-level table of pattern positions (0: none, the kernels search)"],
];

/** Buffers in allocation order: [name, element, length expression over the dimensions, doc]. */
export const buffers = [
  ["idxP", "i32", "nd", "scratch of the sparse trailing inverse"],
  ["termP", "i32", "nTerms", "p_t of each term"],
  ["tplOff", "i32", "nTerms", "offset of each term's template in tpl"],
  ["rowTerm", "i32", "qRest", "term of each trailing random row"],
  ["rowPos", "i32", "qRest", "position of each trailing random row inside its level's block"],
  ["rowStart", "i32", "l1 + 1", "start of each level's row list R_g in rowIdx"],
  ["rowIdx", "i32", "nnzRows", "the row lists R_g (trailing row numbers, ascending)"],
  ["H11", "f64", "l1 * p1 * p1", "ZgᵀWZg per level of term 1 (p1×p1, column-major)"],
  ["H21", "f64", "nnzRows * p1", "(trailing row)ᵀ W Z_g, p1 values per row of R_g"],
  ["H22", "f64", "ndDense * ndDense", "dense path: [Z_rest X y]ᵀ W [Z_rest X y], column-major (sparse path: spHx)"],
  ["tpl", "f64", "tplTotal", "the templates T_t (column-major lower)"],
  ["Lg", "f64", "l1 * p1 * p1", "the factors L_g of term 1's blocks"],
  ["L21", "f64", "nnzRows * p1", "L21_g"],
  ["C", "f64", "ndDense * ndDense", "dense path: the trailing block, factored in place (sparse path: spLx)"],
  ["S", "f64", "ndDense * ndDense + pX * pX", "dense path: the trailing block's inverse (gradient; sparse path: spZx); both: pX×pX scratch of fixedCovariance"],
  ["work", "f64", "work", "the kernels' scratch (length from plsWorkLength; pointers into it: w* below)"],
  ["xSol", "f64", "q + pX", "the solution [û (internal order); β̂]"],
  ["bP", "f64", "q", "b̂ = Λû (internal order)"],
  ["zte", "f64", "q", "Zᵀê (internal order, gradient)"],
  ["out", "f64", "8", "outputs (OUT_* slots)"],
  ["acc", "f64", "2 * tplTotal", "gradient accumulators PS and ZU per term"],
  ["thetaP", "f64", "nTheta", "θ"],
  ["gradP", "f64", "nTheta", "∇θ of the criterion"],
  ["minvP", "f64", "minv", "diagonal blocks of M⁻¹ (plsMinvBlocks)"],
  ["vcovP", "f64", "pX * pX", "S⁻¹ of the fixed effects (row-major), before σ̂²"],
  ["refsP", "i32", "nTerms * nObs", "level of each observation in each term"],
  ["zOff", "i32", "nTerms", "offset of each term's model matrix in zP"],
  ["zP", "f64", "zTotal", "each term's model matrix (n×p_t, row-major)"],
  ["xP", "f64", "nObs * pX", "X (column-major)"],
  ["yP", "f64", "nObs", "y"],
  ["obsOrder", "i32", "nObs", "observations grouped by level of term 1"],
  ["obsStart", "i32", "l1 + 1", "start of each level's observations in obsOrder"],
  ["rowOffset", "i32", "nTerms", "first trailing row of each term (term 1: 0)"],
  ["restP", "i32", "nRest", "the other terms, in order"],
  ["posOf", "i32", "qRest", "scratch of plsStatistics: position of a trailing row in R_g"],
  ["sIdx", "i32", "nd", "scratch of the statistics kernels"],
  ["sVal", "f64", "nd", "scratch of the statistics kernels"],
  ["cursor", "i32", "l1", "the column-blocked update's cursor into each level's row list"],
  ["teamCursor", "i32", "l1", "the same cursor for a kernel team's helper (assembly/pls/team-tasks.ts)"],
  ["teamY", "f64", "nd", "Y_g scratch of a kernel team's helper (p₁ = 1, assembly/pls/team-tasks.ts)"],
  ["qLevel", "f64", "l1", "‖Y_g‖² per level of term 1 (p₁ = 1, the inverse-factor gradient)"],
  ["wP", "f64", "nObs", "prior weights (1 without weights)"],
  ["spPerm", "i32", "spN", "sparse path: original trailing row of each position of the factor's order"],
  ["spColPtr", "i32", "spN + 1", "sparse path: start of each column of L in spRowIdx/spLx"],
  ["spRowIdx", "i32", "spNnz", "sparse path: row of each entry of L (factor order, ascending, diagonal first)"],
  ["spRowPtr", "i32", "spN + 1", "sparse path: start of each row's off-diagonal entries in spRowCol/spRowPos"],
  ["spRowCol", "i32", "spNnz", "sparse path: column of each off-diagonal entry of L, row by row"],
  ["spRowPos", "i32", "spNnz", "sparse path: position in spLx of each entry of spRowCol"],
  ["spInv", "i32", "spN", "sparse path: position in the factor's order of each original trailing row"],
  ["spLx", "f64", "spNnz", "sparse path: the trailing block on L's pattern (assembled, then factored in place: C)"],
  ["spZx", "f64", "spNnz", "sparse path: the selected inverse on L's pattern (S)"],
  ["spWork", "f64", "spN", "sparse path: a dense column of scratch"],
  ["tplTheta", "i32", "tplTotal", "index in θ of each template entry (−1: a fixed zero; src/fit/factor-blocks.ts)"],
  ["spHx", "f64", "spNnz", "sparse path: H22 on L's pattern"],
  ["spPairStart", "i32", "spLevels + 1", "sparse path: start of each term-1 level's pairs in spPair"],
  ["spPair", "i32", "spPairs", "sparse path: per level, the pattern position of each pair of its random rows (filled by plsLevelPairs)"],
];

/** Pointers plsPrepare derives from the sizes and buffers (the kernels' scratch layout). */
export const derived = [
  ["T1", "term 1's template"],
  ["z1", "term 1's model matrix"],
  ["wLinv", "work: L_g⁻¹ (p1×p1)"],
  ["wAinv", "work: A_g⁻¹ (p1×p1)"],
  ["wQ", "work: (Ω_e⁻¹)_gg (p1×p1)"],
  ["wE", "work: p1×p1 scratch"],
  ["wK", "work: K_g (maxR×p1)"],
  ["wY", "work: Y_g (maxR×p1)"],
  ["wV", "work: maxR×p1 scratch"],
  ["wCol", "work: a column of nd"],
  ["wYd", "work: nd×p1 (Y_g of the inverse-factor gradient)"],
  ["wTinv", "work: T_t⁻¹ (pMax×pMax)"],
  ["wRow", "work: pMax×pMax + 16 scratch"],
];

/** plsEvaluate's mode bits. */
export const modes = [
  ["SOLVE", 1, "the solution û, β̂, b̂"],
  ["GRADIENT", 2, "∇θ into gradP"],
  ["VCOV", 4, "S⁻¹ into vcovP"],
  ["REUSE_FACTOR", 8, "the factor in the context is for this θ already: skip the factorisation"],
];

/** f64 slots of the `out` buffer. */
export const outputs = [
  ["OBJECTIVE", 0, "the criterion before the prior weights' −log|W| (TypeScript adds it)"],
  ["LOG_DET_M", 1, "log|M|"],
  ["LOG_DET_S", 2, "log|S| (REML)"],
  ["PWRSS", 3, "r², the penalised weighted residual sum of squares"],
];

/**
 * Every export of build/spruce.wasm: [name, parameters ([name, type]), result, doc]. Types: "ptr" (a byte
 * address in the module's memory), "i32", "f64", "void".
 */
export const kernels = [
  ["alloc", [["bytes", "i32"]], "ptr", "allocate bytes of the heap (assembly/memory.ts)"],
  ["free", [["ptr", "ptr"]], "void", "free a block from alloc"],
  ["plsContextBytes", [], "i32", "size of the context block as the kernels lay it out (checked against this spec)"],
  [
    "plsWorkLength",
    [["nd", "i32"], ["p1", "i32"], ["maxR", "i32"], ["pMax", "i32"]],
    "i32",
    "f64 entries of scratch the kernels need (the work buffer)",
  ],
  ["plsPrepare", [["ctx", "ptr"]], "void", "derive the scratch pointers (once, after TypeScript wrote the context)"],
  ["plsStatistics", [["ctx", "ptr"]], "void", "H11, H21, H22 from the design data and the weights"],
  [
    "plsLevelPairs",
    [["ctx", "ptr"]],
    "i32",
    "sparse path: the per-level table of pattern positions (assembly/pls/pattern.ts); returns the entries written",
  ],
  [
    "plsResponseStatistics",
    [["ctx", "ptr"]],
    "i32",
    "the y entries of the statistics for a new y; −1, or the first non-finite y",
  ],
  [
    "plsEvaluate",
    [["ctx", "ptr"], ["reml", "i32"], ["mode", "i32"]],
    "f64",
    "factor at θ; the criterion; with mode bits the gradient, solution, S⁻¹",
  ],
  ["plsMinvBlocks", [["ctx", "ptr"]], "void", "diagonal blocks of M⁻¹ at the factored θ"],
  [
    "plsNearbyRefit",
    [["ctx", "ptr"], ["reml", "i32"], ["n", "i32"], ["h0", "ptr"], ["lower", "ptr"], ["center", "ptr"], ["theta", "ptr"], ["work", "ptr"], ["out", "ptr"], ["logDetW", "f64"], ["tolerance", "f64"], ["noiseGradient", "f64"]],
    "i32",
    "the bootstrap's refit from θ̂ in the context (assembly/refit/nearby.ts): 1, or 0 to fall back to the general optimiser",
  ],
  ["nearbyRefitWorkLength", [["n", "i32"]], "i32", "f64 entries of plsNearbyRefit's scratch for nθ = n"],
  [
    "denseCholesky",
    [["a", "ptr"], ["n", "i32"], ["lda", "i32"], ["team", "ptr"]],
    "i32",
    "tiled in-place Cholesky (team: assembly/linalg/team.ts, 0 for none); 0 or failing column + 1",
  ],
  [
    "denseSyrkSub",
    [["c", "ptr"], ["a", "ptr"], ["n", "i32"], ["k", "i32"], ["ldc", "i32"], ["lda", "i32"]],
    "void",
    "C −= A Aᵀ (lower)",
  ],
  [
    "denseGemmSub",
    [["c", "ptr"], ["a", "ptr"], ["b", "ptr"], ["m", "i32"], ["n", "i32"], ["k", "i32"], ["ldc", "i32"], ["lda", "i32"], ["ldb", "i32"]],
    "void",
    "C −= A Bᵀ",
  ],
  [
    "denseTrsmRightLowerT",
    [["b", "ptr"], ["l", "ptr"], ["m", "i32"], ["n", "i32"], ["ldb", "i32"], ["ldl", "i32"]],
    "void",
    "B ← B L⁻ᵀ",
  ],
  ["denseLogDetChol", [["l", "ptr"], ["n", "i32"], ["ldl", "i32"]], "f64", "2 Σ log L_jj"],
  ["denseLowerInverse", [["l", "ptr"], ["n", "i32"], ["ldl", "i32"], ["team", "ptr"]], "void", "L ← L⁻¹ in place"],
  [
    "denseLowerInvTransMul",
    [["l", "ptr"], ["n", "i32"], ["ldl", "i32"], ["team", "ptr"]],
    "void",
    "V ← VᵀV (lower) in place",
  ],
  ["kernelTeamBytes", [], "i32", "bytes of a kernel team block (assembly/linalg/team.ts)"],
  ["kernelWorkspaceBytes", [], "i32", "bytes of one thread's gemm workspace (a team's helper needs one)"],
  ["kernelTeamInit", [["team", "ptr"], ["helperWorkspace", "ptr"]], "void", "prepare a team block"],
  ["kernelTeamServing", [["team", "ptr"]], "i32", "1 while a helper thread serves the team"],
  ["kernelTeamStop", [["team", "ptr"]], "void", "ask the team's helper to stop"],
  ["kernelTeamRetire", [["team", "ptr"]], "void", "the helper leaves after lingering idle (the team is stopped)"],
  ["kernelTeamJoin", [["team", "ptr"]], "i32", "a helper joins the team: 1, or 0 when it was stopped first"],
  [
    "kernelTeamPoll",
    [["team", "ptr"], ["seen", "i32"], ["polls", "i32"]],
    "i32",
    "a helper polls for a new task: the posted generation (seen when none)",
  ],
  [
    "kernelTeamRun",
    [["team", "ptr"], ["generation", "i32"]],
    "i32",
    "a helper runs the posted task: 1, or 0 when told to stop",
  ],
  [
    "sparseCholesky",
    [["n", "i32"], ["colPtr", "ptr"], ["rowIdx", "ptr"], ["rowPtr", "ptr"], ["rowCol", "ptr"], ["rowPos", "ptr"], ["lx", "ptr"], ["work", "ptr"]],
    "i32",
    "left-looking Cholesky in place on a symbolic pattern (assembly/sparse/cholesky.ts); 0 or failing column + 1",
  ],
  [
    "sparseSelectedInverse",
    [["ne", "i32"], ["n", "i32"], ["denseFrom", "i32"], ["colPtr", "ptr"], ["rowIdx", "ptr"], ["lx", "ptr"], ["zx", "ptr"]],
    "void",
    "the entries of (L Lᵀ)⁻¹ on L's pattern, leading ne×ne part (Takahashi equations); rows ≥ denseFrom dense in every column",
  ],
  [
    "trailingGraphLists",
    [["l1", "i32"], ["qRest", "i32"], ["rowStart", "ptr"], ["rowIdx", "ptr"], ["rowPos", "ptr"], ["nodeOfRow", "ptr"], ["nb", "i32"], ["dense", "i32"], ["maxMeetings", "f64"], ["adjStart", "ptr"], ["out", "ptr"]],
    "i32",
    "the block graph of a trailing block, flat adjacency lists (assembly/sparse/block-graph.ts); 0, 1 when it is too dense",
  ],
  [
    "minimumDegreeOrder",
    [["n", "i32"], ["adjStart", "ptr"], ["adjNodes", "ptr"], ["weight", "ptr"], ["budget", "f64"], ["order", "ptr"], ["position", "ptr"], ["structStart", "ptr"], ["out", "ptr"]],
    "i32",
    "minimum-degree order and symbolic structure of a block graph (assembly/sparse/min-degree.ts); 0, 1 past the budget, 2 not symmetric",
  ],
  [
    "glmmPirls",
    [["ctx", "ptr"], ["family", "i32"], ["link", "i32"], ["y", "ptr"], ["pw", "ptr"], ["offset", "ptr"], ["X", "ptr"], ["beta", "ptr"], ["p", "i32"], ["fixed", "ptr"], ["eta", "ptr"], ["mu", "ptr"], ["x", "ptr"], ["b", "ptr"], ["scratch", "ptr"], ["out", "ptr"], ["fresh", "i32"], ["maxit", "i32"], ["tol", "f64"]],
    "i32",
    "GLMM PIRLS at the context's θ (assembly/glmm/pirls.ts): iterations, or < 0 on failure",
  ],
  [
    "glmmLaplaceGradient",
    [["ctx", "ptr"], ["family", "i32"], ["link", "i32"], ["y", "ptr"], ["pw", "ptr"], ["eta", "ptr"], ["mu", "ptr"], ["x", "ptr"], ["X", "ptr"], ["p", "i32"], ["grad", "ptr"], ["scratch", "ptr"], ["iscratch", "ptr"]],
    "void",
    "∇(θ, β) of the Laplace criterion after glmmPirls, canonical links (assembly/glmm/gradient.ts)",
  ],
  [
    "glmmPredictModes",
    [["ctx", "ptr"], ["family", "i32"], ["link", "i32"], ["y", "ptr"], ["pw", "ptr"], ["eta", "ptr"], ["mu", "ptr"], ["x", "ptr"], ["dTheta", "ptr"], ["dBeta", "ptr"], ["X", "ptr"], ["p", "i32"], ["scratch", "ptr"]],
    "void",
    "first-order prediction of the modes at a new (θ, β) after glmmPirls (assembly/glmm/predict.ts)",
  ],
];

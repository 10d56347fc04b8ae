import type { Design } from "./types.js";

/** What `spruce formula --json` prints: the model as lme4 would name it, before any fitting. */
export interface DesignDescription {
  response: string;
  fixed: string[];
  random: { group: string; terms: string[]; correlated: boolean; levels: number }[];
  nobs: number;
  dropped: number;
  ngrps: Record<string, number>;
}

export function describeDesign(design: Design): DesignDescription {
  const ngrps: Record<string, number> = {};
  for (const t of design.terms) if (!(t.group in ngrps)) ngrps[t.group] = t.levels.length;
  return {
    response: design.response,
    fixed: [...design.fixedNames],
    random: design.terms.map((t) => ({
      group: t.group,
      terms: [...t.columns],
      correlated: t.correlated !== false,
      levels: t.levels.length,
    })),
    nobs: design.n,
    dropped: design.droppedRows,
    ngrps,
  };
}

/**
 * lme4's group names in the variance-component table, one per term: R's make.unique over the terms' grouping
 * factors, so a second term on the same factor is `Subject.1` (as for `(Days || Subject)`).
 */
export function varCorrGroupNames(design: Pick<Design, "terms">): string[] {
  return makeUnique(design.terms.map((t) => t.group));
}

/** R's make.unique(names, sep = "."): later duplicates get .1, .2, ... skipping names already in use. */
export function makeUnique(names: readonly string[]): string[] {
  const used = new Set(names);
  const counts = new Map<string, number>();
  const seen = new Set<string>();
  return names.map((name) => {
    if (!seen.has(name)) {
      seen.add(name);
      return name;
    }
    let k = counts.get(name) ?? 1;
    while (used.has(`${name}.${k}`)) k++;
    counts.set(name, k + 1);
    const unique = `${name}.${k}`;
    used.add(unique);
    return unique;
  });
}

/**
 * lme4's names of θ (`getME(m, "theta")`), in θ order: per term, the lower triangle of its template column by
 * column; a diagonal entry is `group.column`, an off-diagonal one `group.row.column`
 * (`tree.(Intercept)`, `tree.time.(Intercept)`, ..., `tree.I(time^2)`).
 */
export function thetaNames(design: Pick<Design, "terms">): string[] {
  const names: string[] = [];
  for (const t of design.terms)
    for (let j = 0; j < t.columns.length; j++)
      for (let i = j; i < t.columns.length; i++)
        names.push(i === j ? `${t.group}.${t.columns[i]}` : `${t.group}.${t.columns[i]}.${t.columns[j]}`);
  return names;
}

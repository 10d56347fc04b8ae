import { R_RESERVED_WORDS } from "../formula/deparse.js";
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
 * lme4's group names in the variance-component table, one per term. lme4's mkVarCorr keeps the grouping factors'
 * names unless one repeats (a second term on the same factor, as from `(Days || Subject)`); then ALL of them go
 * through R's make.names(unique = TRUE): `Subject.1`, and `school:class` becomes `school.class` in
 * `(x || school) + (1 | school:class)` (but stays `school:class` in `(1 | school/class)`).
 */
export function varCorrGroupNames(design: Pick<Design, "terms">): string[] {
  const groups = design.terms.map((t) => t.group);
  if (new Set(groups).size === groups.length) return groups;
  return makeUnique(groups.map(makeName));
}

/**
 * R's make.names for one name: "X" prepended unless it starts with a letter or a dot not followed by a digit,
 * every character other than a letter, digit, `.` or `_` turned into `.`, a reserved word given a trailing `.`.
 */
export function makeName(name: string): string {
  let out = name;
  if (!/^(?:\p{L}|\.(?!\d))/u.test(out)) out = `X${out}`;
  out = out.replace(/[^\p{L}\p{N}._]/gu, ".");
  return R_RESERVED_WORDS.has(out) ? `${out}.` : out;
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

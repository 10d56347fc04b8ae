import type { Expr } from "./ast.js";
import { deparse } from "./deparse.js";
import { FormulaError } from "./errors.js";

/**
 * R's formula algebra (the C code behind `terms.formula`), for one side of a formula: which variables there are,
 * which terms (sets of variables) and whether there is an intercept.
 */
export interface TermsSpec {
  /** Whether the model matrix has an intercept column. */
  intercept: boolean;
  /** Variables in order of first appearance (R's `variables` attribute, response excluded). */
  variables: Expr[];
  /** R's deparsed name of each variable: `time`, `I(time^2)`, `factor(x)`. */
  variableNames: string[];
  /** Terms in R's order: by interaction order, then appearance. */
  terms: Term[];
  /** `offset(z)` expressions (R keeps them among the variables, not the terms); absent when there are none. */
  offsets?: Expr[];
}

export interface Term {
  /** Indices into `variables`, ascending (R's bit order). */
  vars: number[];
  /** R's term label: the variable names in variable order joined by ':' (`treat:I(time^2)`). */
  label: string;
  /**
   * R's factor-pattern codes per variable of `vars`: 1 when the variable is coded by contrasts in this term
   * (the term without it is the empty term or is contained in an earlier term), 2 when by indicators of all its
   * levels. Only matters for factors; the model matrix also applies R's no-intercept rule.
   */
  codes: (1 | 2)[];
}

/**
 * Expand a right-hand side (with no random-effects bars left in it) into R's terms.
 * `preinstalled` names variables that come first in R's variable order (the response).
 */
export function expandTerms(rhs: Expr | null, text: string, preinstalled: Expr[] = []): TermsSpec {
  const enc = new Encoder(text);
  for (const v of preinstalled) enc.install(v);
  const skip = preinstalled.length;
  let raw: number[][] = rhs ? enc.encode(rhs) : [];
  raw = trim(raw);
  // Terms are sorted by interaction order; Array.prototype.sort is stable so appearance order is kept within.
  raw.sort((a, b) => a.length - b.length);
  const terms: Term[] = raw.map((vars, k) => {
    const codes = vars.map((v) => {
      const reduced = vars.filter((w) => w !== v);
      if (reduced.length === 0) return 1 as const;
      for (let j = 0; j < k; j++) if (reduced.every((w) => raw[j].includes(w))) return 1 as const;
      return 2 as const;
    });
    return {
      vars: vars.map((v) => v - skip),
      label: vars.map((v) => enc.names[v]).join(":"),
      codes,
    };
  });
  if (terms.some((t) => t.vars.some((v) => v < 0))) {
    const bad = raw.find((vars) => vars.some((v) => v < skip))!;
    throw new FormulaError(
      `the response ${enc.names[bad.find((v) => v < skip)!]} also appears among the terms`,
      text,
      0,
    );
  }
  const out: TermsSpec = {
    intercept: enc.intercept,
    variables: enc.vars.slice(skip),
    variableNames: enc.names.slice(skip),
    terms,
  };
  if (enc.offsets.length > 0) out.offsets = enc.offsets;
  return out;
}

/** Remove repeated and empty terms, keeping the first occurrence (R's TrimRepeats). */
function trim(terms: number[][]): number[][] {
  const seen = new Set<string>();
  const out: number[][] = [];
  for (const t of terms) {
    if (t.length === 0) continue;
    const key = t.join(",");
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(t);
  }
  return out;
}

function union(a: number[], b: number[]): number[] {
  return [...new Set([...a, ...b])].sort((x, y) => x - y);
}

function interact(left: number[][], right: number[][]): number[][] {
  const out: number[][] = [];
  for (const l of left) for (const r of right) out.push(union(l, r));
  return trim(out);
}

/** R's EncodeVars: terms as sorted variable-index sets; the intercept is a flag set by `1`, `0`, `-1`, `-0`. */
class Encoder {
  intercept = true;
  private parity = true;
  readonly vars: Expr[] = [];
  readonly names: string[] = [];
  readonly offsets: Expr[] = [];

  constructor(private readonly text: string) {}

  install(e: Expr): number {
    const name = deparse(e);
    let i = this.names.indexOf(name);
    if (i < 0) {
      i = this.names.length;
      this.names.push(name);
      this.vars.push(e);
    }
    return i;
  }

  encode(e: Expr): number[][] {
    switch (e.kind) {
      case "number":
        if (e.value === 1) {
          this.intercept = this.parity;
          return [];
        }
        if (e.value === 0) {
          this.intercept = !this.parity;
          return [];
        }
        throw new FormulaError(
          `a number other than 0 or 1 cannot be a term (use I(${deparse(e)}) for a constant)`,
          this.text,
          e.pos,
        );
      case "call":
        if (e.fn === "offset") {
          // R: an offset is a variable of the model frame but no term; `- offset(z)` is not a removal.
          if (!this.parity)
            throw new FormulaError("an offset cannot be removed with '-': leave it out", this.text, e.pos);
          if (!this.offsets.some((o) => deparse(o) === deparse(e))) this.offsets.push(e);
          return [];
        }
        return [[this.install(e)]];
      case "name":
        return [[this.install(e)]];
      case "paren":
        return this.encode(e.expr);
      case "unary":
        if (e.op === "+") return this.encode(e.arg);
        return this.remove([], e.arg);
      case "binary":
        switch (e.op) {
          case "+":
            return trim([...this.encode(e.left), ...this.encode(e.right)]);
          case "-":
            return this.remove(this.encode(e.left), e.right);
          case ":":
            return interact(this.encode(e.left), this.encode(e.right));
          case "*": {
            const l = this.encode(e.left);
            const r = this.encode(e.right);
            return trim([...l, ...r, ...interact(l, r)]);
          }
          case "%in%": {
            const l = this.encode(e.left);
            const all = this.encode(e.right).reduce((acc, t) => union(acc, t), [] as number[]);
            return trim(l.map((t) => union(t, all)));
          }
          case "/": {
            const l = this.encode(e.left);
            const all = l.reduce((acc, t) => union(acc, t), [] as number[]);
            const r = this.encode(e.right);
            return trim([...l, ...r.map((t) => union(t, all))]);
          }
          case "^": {
            const base = this.encode(e.left);
            const power = unparenNumber(e.right);
            if (power === undefined || !Number.isInteger(power) || power < 1)
              throw new FormulaError(
                "the power of a term must be a whole number of at least 1, as in (a + b)^2",
                this.text,
                e.right.pos,
              );
            let result = base;
            for (let i = 1; i < power; i++) result = interact(result, base);
            return result;
          }
          default:
            throw new FormulaError(`'${e.op}' cannot be used here`, this.text, e.opPos);
        }
    }
  }

  /** `left - right`: terms of `right` (encoded with flipped parity, so `- 1` removes the intercept) leave `left`. */
  private remove(left: number[][], right: Expr): number[][] {
    this.parity = !this.parity;
    const r = this.encode(right);
    this.parity = !this.parity;
    const drop = new Set(r.map((t) => t.join(",")));
    return left.filter((t) => !drop.has(t.join(",")));
  }
}

function unparenNumber(e: Expr): number | undefined {
  while (e.kind === "paren") e = e.expr;
  return e.kind === "number" ? e.value : undefined;
}

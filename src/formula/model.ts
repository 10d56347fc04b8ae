import { type BinaryNode, type Expr, unparen } from "./ast.js";
import { deparse } from "./deparse.js";
import { FormulaError } from "./errors.js";
import { parseFormula } from "./parser.js";
import { expandTerms, type TermsSpec } from "./terms.js";

/** One random-effects term after lme4's expansion of `||` and `/`. */
export interface RandomSpec {
  /** The model-matrix terms of the left side of the bar (`Days` in `(Days | Subject)`: intercept + Days). */
  lhs: TermsSpec;
  /** The grouping expression: a variable, or an interaction `a:b` of variables. */
  group: Expr;
  /** lme4's name for the grouping factor, R's deparse of `group`: `Subject`, `cask:batch`, `c:(b:a)`. */
  groupName: string;
  /** False for the terms that `(x || g)` splits into: their random effects are independent of each other. */
  correlated: boolean;
  /** The term as lme4 prints it in messages: `Days | Subject`. */
  label: string;
}

/** A formula read the way lme4 reads it: response, fixed-effects terms, random-effects terms in formula order. */
export interface ModelSpec {
  formula: string;
  response: Expr;
  /** R's deparse of the response: `size`, `log(y)`. */
  responseName: string;
  fixed: TermsSpec;
  random: RandomSpec[];
}

/**
 * Read an lme4 formula: `y ~ fixed + (lhs | group) + ...`. Random-effects terms are taken out of the sum as lme4's
 * `nobars`/`findbars` do (they may be added anywhere with `+`, and subtracting from a sum that holds them is allowed),
 * `(x || g)` becomes `(1 | g) + (0 + x | g)` (one term per term of x, as lme4's `expandDoubleVerts`), and
 * `(x | a/b)` becomes `(x | b:a) + (x | a)` (lme4's `expandSlash`).
 */
export function analyzeFormula(text: string, options: { columns?: readonly string[] } = {}): ModelSpec {
  const parsed = parseFormula(text);
  if (options.columns) parsed.rhs = expandDot(parsed.rhs, parsed.lhs, options.columns);
  const bars: BinaryNode[] = [];
  const fixedExpr = stripBars(parsed.rhs, bars, text);
  if (containsBar(parsed.lhs)) {
    const bar = findBar(parsed.lhs)!;
    throw new FormulaError("a random-effects term cannot be on the left of '~'", text, bar.pos);
  }
  checkVariables(parsed.lhs, text);
  const response = unparen(parsed.lhs);
  if (response.kind === "number")
    throw new FormulaError("the response must be a variable", text, response.pos);
  const fixed = expandTerms(fixedExpr, text, [response]);
  const random: RandomSpec[] = [];
  for (const bar of bars) random.push(...expandBar(bar, text));
  return { formula: text, response, responseName: deparse(response), fixed, random };
}

/** Names used by an expression (the response's variables, which `.` leaves out). */
function namesIn(e: Expr, out: Set<string>): Set<string> {
  switch (e.kind) {
    case "name":
      out.add(e.name);
      break;
    case "call":
      for (const a of e.args) namesIn(a, out);
      break;
    case "paren":
      namesIn(e.expr, out);
      break;
    case "unary":
      namesIn(e.arg, out);
      break;
    case "binary":
      namesIn(e.left, out);
      namesIn(e.right, out);
      break;
    default:
      break;
  }
  return out;
}

/**
 * R's `.` in a formula with data: every column of the data not used on the left-hand side, as a parenthesised
 * sum in column order (so `. - x` and `.:z` work as in R).
 */
function expandDot(rhs: Expr, lhs: Expr, columns: readonly string[]): Expr {
  const used = namesIn(lhs, new Set());
  const rest = columns.filter((c) => !used.has(c));
  const replace = (e: Expr): Expr => {
    switch (e.kind) {
      case "name": {
        if (e.name !== ".") return e;
        if (rest.length === 0) return { kind: "number", value: 1, pos: e.pos, end: e.end };
        let sum: Expr = { kind: "name", name: rest[0] as string, pos: e.pos, end: e.end };
        for (const c of rest.slice(1))
          sum = {
            kind: "binary",
            op: "+",
            left: sum,
            right: { kind: "name", name: c, pos: e.pos, end: e.end },
            pos: e.pos,
            end: e.end,
            opPos: e.pos,
          };
        return { kind: "paren", expr: sum, pos: e.pos, end: e.end };
      }
      case "call":
        return { ...e, args: e.args.map(replace) };
      case "paren":
        return { ...e, expr: replace(e.expr) };
      case "unary":
        return { ...e, arg: replace(e.arg) };
      case "binary":
        return { ...e, left: replace(e.left), right: replace(e.right) };
      default:
        return e;
    }
  };
  return replace(rhs);
}

function isBar(e: Expr): boolean {
  return e.kind === "binary" && (e.op === "|" || e.op === "||");
}

function containsBar(e: Expr): boolean {
  return findBar(e) !== undefined;
}

function findBar(e: Expr): Expr | undefined {
  switch (e.kind) {
    case "binary":
      if (isBar(e)) return e;
      return findBar(e.left) ?? findBar(e.right);
    case "unary":
      return findBar(e.arg);
    case "paren":
      return findBar(e.expr);
    case "call":
      for (const a of e.args) {
        const b = findBar(a);
        if (b) return b;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** Take the parenthesised bars out of a sum (in order of appearance); what is left is the fixed part or null. */
function stripBars(e: Expr, bars: BinaryNode[], text: string): Expr | null {
  if (!containsBar(e)) {
    checkVariables(e, text);
    return e;
  }
  if (e.kind === "paren") {
    const inner = unparen(e);
    if (isBar(inner)) {
      bars.push(inner as BinaryNode);
      return null;
    }
    const stripped = stripBars(e.expr, bars, text);
    return stripped && { ...e, expr: stripped };
  }
  if (isBar(e))
    throw new FormulaError(
      "put a random-effects term in parentheses, as in (1 | g)",
      text,
      (e as BinaryNode).opPos,
    );
  if (e.kind === "binary" && e.op === "+") {
    const l = stripBars(e.left, bars, text);
    const r = stripBars(e.right, bars, text);
    if (!l) return r;
    if (!r) return l;
    return { ...e, left: l, right: r };
  }
  if (e.kind === "binary" && e.op === "-" && !containsBar(e.right)) {
    const l = stripBars(e.left, bars, text);
    checkVariables(e.right, text);
    if (!l) return { kind: "unary", op: "-", arg: e.right, pos: e.pos, end: e.end };
    return { ...e, left: l };
  }
  if (e.kind === "unary" && e.op === "+") return stripBars(e.arg, bars, text);
  const bar = findBar(e) as BinaryNode;
  throw new FormulaError(
    "a random-effects term (... | g) can only be added to the model with '+'",
    text,
    bar.opPos,
  );
}

/** Functions a variable may be wrapped in; everything numeric is evaluated by src/frame/evaluate.ts. */
export const KNOWN_FUNCTIONS = new Set([
  "I",
  "log",
  "log2",
  "log10",
  "log1p",
  "exp",
  "expm1",
  "sqrt",
  "abs",
  "factor",
  "as.factor",
  "ordered",
  "as.ordered",
  "as.numeric",
  "poly",
  "scale",
  "offset",
]);

/**
 * Functions whose value depends on the data they are first evaluated on (R's makepredictcall keeps their
 * parameters for predictions) and their argument names: poly(x, degree, raw = FALSE), scale(x, center, scale).
 */
const NAMED_ARGUMENTS: Record<string, readonly string[]> = {
  poly: ["degree", "raw"],
  scale: ["center", "scale"],
  // factor(x, ordered = TRUE): an ordered factor (contr.poly by default), as R's ordered(x).
  factor: ["ordered"],
};

/** Argument counts of the known functions (default: one). */
function arityOf(fn: string): [number, number] {
  if (fn === "log") return [1, 2];
  if (fn === "poly") return [1, 3];
  if (fn === "scale") return [1, 3];
  if (fn === "factor") return [1, 2];
  return [1, 1];
}

/** Catch unknown functions and misplaced operators early, with the position. */
function checkVariables(e: Expr, text: string, insideCall = false): void {
  switch (e.kind) {
    case "name":
      if (e.name === ".")
        throw new FormulaError("'.' (all other columns) is not supported: name the variables", text, e.pos);
      return;
    case "call": {
      if (!KNOWN_FUNCTIONS.has(e.fn))
        throw new FormulaError(
          `unknown function ${e.fn}() (known: ${[...KNOWN_FUNCTIONS].join(", ")})`,
          text,
          e.pos,
        );
      const arity = arityOf(e.fn);
      if (e.args.length < arity[0] || e.args.length > arity[1])
        throw new FormulaError(
          `${e.fn}() takes ${arity[1] === 1 ? "one argument" : arity[1] === 2 ? "one or two arguments" : `one to ${arity[1]} arguments`}`,
          text,
          e.pos,
        );
      e.argNames?.forEach((name, i) => {
        if (name === undefined) return;
        const allowed = NAMED_ARGUMENTS[e.fn] ?? [];
        if (!allowed.includes(name))
          throw new FormulaError(
            allowed.length
              ? `${e.fn}() has no argument '${name}' (it takes ${allowed.join(", ")})`
              : `${e.fn}() takes no named arguments ('${name}')`,
            text,
            (e.args[i] as Expr).pos,
          );
      });
      if (e.fn === "offset" && insideCall)
        throw new FormulaError(
          "offset() must be a term of its own, not inside another function",
          text,
          e.pos,
        );
      if (e.fn === "factor" && e.args.length === 2 && e.argNames?.[1] !== "ordered")
        throw new FormulaError(
          "factor()'s second argument can only be ordered = TRUE or FALSE (for the order of the levels use the " +
            "ordered option, e.g. { ordered: { dose: ['low', 'mid', 'high'] } }, CLI --ordered dose=low,mid,high)",
          text,
          (e.args[1] as Expr).pos,
        );
      // Only the data argument is a variable: degree, raw, center, scale and ordered are constants.
      checkVariables(e.args[0] as Expr, text, true);
      for (let i = 1; i < e.args.length; i++) checkConstant(e.args[i] as Expr, e.fn, text);
      return;
    }
    case "binary":
      if (e.op === "~" || e.op === "|" || e.op === "||")
        throw new FormulaError(`'${e.op}' cannot be used here`, text, e.opPos);
      if (insideCall && e.op !== "+" && e.op !== "-" && e.op !== "*" && e.op !== "/" && e.op !== "^")
        throw new FormulaError(
          `'${e.op}' is not arithmetic and cannot be used inside a function`,
          text,
          e.opPos,
        );
      checkVariables(e.left, text, insideCall);
      checkVariables(e.right, text, insideCall);
      return;
    case "unary":
      checkVariables(e.arg, text, insideCall);
      return;
    case "paren":
      checkVariables(e.expr, text, insideCall);
      return;
    default:
      return;
  }
}

/** A constant argument: a number, TRUE/FALSE, or arithmetic on numbers (a variable there is an error). */
function checkConstant(e: Expr, fn: string, text: string): void {
  if (fn === "factor") {
    const inner = unparen(e);
    if (inner.kind === "name" && (inner.name === "TRUE" || inner.name === "FALSE")) return;
    throw new FormulaError("factor()'s ordered must be TRUE or FALSE", text, e.pos);
  }
  if (fn !== "poly" && fn !== "scale" && fn !== "log") {
    checkVariables(e, text, true);
    return;
  }
  if (fn === "log") {
    checkVariables(e, text, true);
    return;
  }
  const inner = unparen(e);
  if (inner.kind === "number") return;
  if (inner.kind === "name" && (inner.name === "TRUE" || inner.name === "FALSE")) return;
  if (inner.kind === "unary" && unparen(inner.arg).kind === "number") return;
  throw new FormulaError(`${fn}()'s options must be numbers or TRUE/FALSE`, text, e.pos);
}

/** lme4's expandDoubleVerts and expandSlash for one bar. */
function expandBar(bar: BinaryNode, text: string): RandomSpec[] {
  checkVariables(bar.left, text);
  const groups = expandGroup(bar.right, text);
  const lhs = expandTerms(bar.left, text);
  if (lhs.offsets)
    throw new FormulaError(
      "offset() cannot be inside a random-effects term",
      text,
      (lhs.offsets[0] as Expr).pos,
    );
  if (lhs.terms.length === 0 && !lhs.intercept)
    throw new FormulaError(
      "this random-effects term has no columns (nothing left of '|')",
      text,
      bar.left.pos,
    );
  const parts: { lhs: TermsSpec; correlated: boolean; text: string }[] = [];
  if (bar.op === "|") {
    parts.push({ lhs, correlated: true, text: deparse(bar.left) });
  } else {
    // (x || g): one uncorrelated term for the intercept and one per term of x, as lme4's expandDoubleVerts.
    if (lhs.intercept) parts.push({ lhs: { ...lhs, terms: [] }, correlated: false, text: "1" });
    for (const t of lhs.terms) {
      const vars = t.vars;
      const sub: TermsSpec = {
        intercept: false,
        variables: vars.map((v) => lhs.variables[v]),
        variableNames: vars.map((v) => lhs.variableNames[v]),
        terms: [{ vars: vars.map((_, i) => i), label: t.label, codes: vars.map(() => 2 as const) }],
      };
      // Within a single term, R's codes: every variable whose removal leaves a non-empty term absent from the
      // (single-term) model is coded by indicators; for one variable the reduced term is empty, so code 1.
      if (vars.length === 1) sub.terms[0].codes = [1];
      parts.push({ lhs: sub, correlated: false, text: `0 + ${t.label}` });
    }
  }
  const out: RandomSpec[] = [];
  // lme4 expands `||` first and `/` second, so each split term is expanded over the nested groups in turn.
  for (const p of parts)
    for (const g of groups) {
      const groupName = deparse(g);
      out.push({
        lhs: p.lhs,
        group: g,
        groupName,
        correlated: p.correlated,
        label: `${p.text} | ${groupName}`,
      });
    }
  return out;
}

/**
 * lme4's expandSlash: `a/b/c` gives the grouping factors `c:(b:a)`, `b:a`, `a` in that order; anything else is a
 * single grouping factor. Group expressions are variables or `:` interactions of them.
 */
function expandGroup(e: Expr, text: string): Expr[] {
  checkGroup(e, text);
  const inner = unparen(e);
  if (!hasSlash(inner)) return [inner];
  const pieces = slashPieces(inner, text);
  // Build the nested interactions innermost first: a, b:a, c:(b:a).
  const out: Expr[] = [pieces[0]];
  for (let i = 1; i < pieces.length; i++) {
    const prev = out[0];
    const right: Expr =
      prev.kind === "binary" ? { kind: "paren", expr: prev, pos: prev.pos, end: prev.end } : prev;
    out.unshift({
      kind: "binary",
      op: ":",
      left: pieces[i],
      right,
      pos: pieces[i].pos,
      end: pieces[i].end,
      opPos: pieces[i].pos,
    });
  }
  return out;
}

function hasSlash(e: Expr): boolean {
  if (e.kind === "paren") return hasSlash(e.expr);
  return e.kind === "binary" && (e.op === "/" || hasSlash(e.left) || hasSlash(e.right));
}

function slashPieces(e: Expr, text: string): Expr[] {
  const inner = unparen(e);
  if (inner.kind === "binary" && inner.op === "/")
    return [...slashPieces(inner.left, text), ...slashPieces(inner.right, text)];
  if (hasSlash(inner))
    throw new FormulaError("cannot read this nesting of grouping factors", text, inner.pos);
  return [inner];
}

function checkGroup(e: Expr, text: string): void {
  switch (e.kind) {
    case "name":
      return;
    case "paren":
      checkGroup(e.expr, text);
      return;
    case "call":
      if (e.fn === "factor" || e.fn === "as.factor") {
        checkVariables(e, text);
        return;
      }
      throw new FormulaError(`a grouping factor cannot be computed with ${e.fn}()`, text, e.pos);
    case "binary":
      if (e.op === ":" || e.op === "/") {
        checkGroup(e.left, text);
        checkGroup(e.right, text);
        return;
      }
      throw new FormulaError(
        `'${e.op}' cannot be used in a grouping factor (use a:b for combinations, a/b for nesting)`,
        text,
        e.opPos,
      );
    default:
      throw new FormulaError("the grouping factor after '|' must be a variable", text, e.pos);
  }
}

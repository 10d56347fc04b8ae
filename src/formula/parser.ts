import { ArgumentError } from "../errors.js";
import type { BinaryOp, Expr } from "./ast.js";
import { FormulaError } from "./errors.js";
import { type Token, tokenize } from "./lexer.js";

/**
 * Binding powers of R's operators (see R's ?Syntax), lowest first: `~`, `|`/`||`, binary `+ -`, `* /`, `%in%`,
 * `:`, unary `- +`, `^`. All binary operators are left-associative except `^`.
 */
const INFIX: Record<string, number> = {
  "~": 10,
  "|": 20,
  "||": 20,
  "+": 30,
  "-": 30,
  "*": 40,
  "/": 40,
  "%in%": 50,
  ":": 60,
  "^": 80,
};
const UNARY_POWER = 70;

/**
 * Deepest syntax tree accepted (nested parentheses, calls and unary signs, and the length of an operator chain such
 * as `a + b + c + …`, which makes a tree as deep as it is long). Everything after the parser walks the tree
 * recursively, so a bound here keeps the whole pipeline off the call stack's limit (about 2,500 levels overflowed
 * it). No real formula comes near it.
 */
export const MAX_FORMULA_DEPTH = 1000;
/** Longest formula text accepted, in characters. */
export const MAX_FORMULA_LENGTH = 100_000;

/** The parsed two-sided formula `lhs ~ rhs`. */
export interface ParsedFormula {
  text: string;
  lhs: Expr;
  rhs: Expr;
}

/** Parse any expression of the formula language (used for both sides). Throws FormulaError with a caret. */
export function parseExpression(text: string): Expr {
  if (typeof text !== "string")
    throw new ArgumentError(
      `the formula must be a string such as "y ~ x + (1|g)", got ${text === null ? "null" : typeof text === "object" ? "an object" : String(text)}`,
    );
  if (text.length > MAX_FORMULA_LENGTH)
    throw new FormulaError(
      `the formula is ${text.length} characters long; at most ${MAX_FORMULA_LENGTH} are accepted`,
      text.slice(0, 60),
      60,
    );
  const parser = new Parser(text, tokenize(text));
  if (parser.peek().type === "end") throw new FormulaError("the formula is empty", text, 0);
  const e = parser.expression(0);
  const t = parser.peek();
  if (t.type !== "end") throw new FormulaError(`unexpected '${t.text}'`, text, t.pos);
  return e;
}

/** Parse `response ~ terms`. A formula without a response or with more than one `~` is an error. */
export function parseFormula(text: string): ParsedFormula {
  const e = parseExpression(text);
  if (e.kind !== "binary" || e.op !== "~") {
    const tilde = findTilde(e);
    if (tilde)
      throw new FormulaError("'~' may only separate the response from the terms", text, opPos(tilde));
    throw new FormulaError("the formula needs a response and '~', as in y ~ x + (1|g)", text, 0);
  }
  // `~` groups to the left, so in `y ~ x ~ z` the second tilde is the outer one.
  if (findTilde(e.left)) throw new FormulaError("the formula has more than one '~'", text, e.opPos);
  const tilde = findTilde(e.right);
  if (tilde) throw new FormulaError("the formula has more than one '~'", text, opPos(tilde));
  return { text, lhs: e.left, rhs: e.right };
}

function opPos(e: Expr): number {
  return e.kind === "binary" ? e.opPos : e.pos;
}

function findTilde(e: Expr): Expr | undefined {
  switch (e.kind) {
    case "binary":
      if (e.op === "~") return e;
      return findTilde(e.left) ?? findTilde(e.right);
    case "unary":
      return findTilde(e.arg);
    case "paren":
      return findTilde(e.expr);
    case "call":
      for (const a of e.args) {
        const t = findTilde(a);
        if (t) return t;
      }
      return undefined;
    default:
      return undefined;
  }
}

class Parser {
  private i = 0;
  /** Current nesting of parentheses, calls and unary signs. */
  private nesting = 0;
  /** Height of each node built (1 for a leaf). */
  private readonly heights = new WeakMap<Expr, number>();
  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
  ) {}

  /** The token `k` places ahead (the end token past the end). */
  peekAt(k: number): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)];
  }

  peek(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    return this.tokens[this.i++];
  }

  private fail(message: string, t: Token): never {
    throw new FormulaError(message, this.text, t.pos);
  }

  private tooDeep(pos: number): never {
    throw new FormulaError(
      `the formula is nested too deeply (more than ${MAX_FORMULA_DEPTH} levels of parentheses, signs or terms)`,
      this.text,
      pos,
    );
  }

  /** Record a node's height from its children's, refusing trees deeper than MAX_FORMULA_DEPTH. */
  private node<T extends Expr>(e: T, ...children: Expr[]): T {
    let h = 0;
    for (const c of children) h = Math.max(h, this.heights.get(c) ?? 1);
    if (h + 1 > MAX_FORMULA_DEPTH) this.tooDeep(e.pos);
    this.heights.set(e, h + 1);
    return e;
  }

  /** Enter a nested construct (parenthesis, call, unary sign) at `pos`. */
  private enter(pos: number): void {
    if (++this.nesting > MAX_FORMULA_DEPTH) this.tooDeep(pos);
  }

  /** Pratt parser: parse operators binding tighter than `minPower`. */
  expression(minPower: number): Expr {
    let left = this.prefix();
    for (;;) {
      const t = this.peek();
      if (t.type !== "op") {
        if (t.type === "(" || t.type === "name" || t.type === "number")
          this.fail(`unexpected '${t.text}': an operator (such as +) is missing before it`, t);
        return left;
      }
      const power = INFIX[t.text];
      if (power <= minPower) return left;
      this.next();
      // `^` is right-associative: its right operand may contain another `^`.
      const right = this.operand(t, t.text === "^" ? power - 1 : power);
      left = this.node(
        {
          kind: "binary",
          op: t.text as BinaryOp,
          left,
          right,
          pos: left.pos,
          end: right.end,
          opPos: t.pos,
        },
        left,
        right,
      );
    }
  }

  private operand(op: Token, power: number): Expr {
    const t = this.peek();
    if (t.type === "end") this.fail(`'${op.text}' needs something after it`, op);
    if (t.type === ")" || t.type === ",") this.fail(`unexpected '${t.text}' after '${op.text}'`, t);
    return this.expression(power);
  }

  /** `name =` before a function argument: consumed and returned; undefined for a positional argument. */
  private argumentName(): string | undefined {
    const t = this.peek();
    if (t.type !== "name" || this.peekAt(1).type !== "=") return undefined;
    this.next();
    this.next();
    return t.text;
  }

  private prefix(): Expr {
    const t = this.next();
    switch (t.type) {
      case "number":
        return t.integer
          ? { kind: "number", value: t.value!, integer: true, pos: t.pos, end: t.end }
          : { kind: "number", value: t.value!, pos: t.pos, end: t.end };
      case "name": {
        if (this.peek().type !== "(") return { kind: "name", name: t.text, pos: t.pos, end: t.end };
        this.next();
        const args: Expr[] = [];
        const argNames: (string | undefined)[] = [];
        if (this.peek().type === ")") this.fail(`${t.text}() needs an argument`, this.peek());
        this.enter(t.pos);
        for (;;) {
          argNames.push(this.argumentName());
          args.push(this.expression(0));
          const sep = this.next();
          if (sep.type === ")") {
            this.nesting--;
            return this.node(
              argNames.some((a) => a !== undefined)
                ? { kind: "call", fn: t.text, args, argNames, pos: t.pos, end: sep.end }
                : { kind: "call", fn: t.text, args, pos: t.pos, end: sep.end },
              ...args,
            );
          }
          if (sep.type !== ",") this.fail(`expected ',' or ')' in the call to ${t.text}()`, sep);
        }
      }
      case "(": {
        if (this.peek().type === ")") this.fail("empty parentheses", this.peek());
        this.enter(t.pos);
        const inner = this.expression(0);
        const close = this.next();
        if (close.type !== ")") this.fail(close.type === "end" ? "missing ')'" : `expected ')'`, close);
        this.nesting--;
        return this.node({ kind: "paren", expr: inner, pos: t.pos, end: close.end }, inner);
      }
      case "op":
        if (t.text === "-" || t.text === "+") {
          this.enter(t.pos);
          const arg = this.operand(t, UNARY_POWER);
          this.nesting--;
          return this.node({ kind: "unary", op: t.text, arg, pos: t.pos, end: arg.end }, arg);
        }
        if (t.text === "~") {
          // A one-sided formula where a response is needed: report it at the tilde.
          return this.fail("the formula needs a response before '~'", t);
        }
        return this.fail(`'${t.text}' needs something before it`, t);
      case "end":
        return this.fail("the formula ends too early", t);
      default:
        return this.fail(`unexpected '${t.text}'`, t);
    }
  }
}

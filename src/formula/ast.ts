/**
 * The syntax tree of an R formula, as R's parser would build it. Parentheses are kept as nodes because R keeps
 * them (`(` is a call in R) and they show up in deparsed names such as `I((a + b)^2)`.
 * `pos`/`end` are character offsets into the formula text, used to point at errors.
 */
export type Expr = NumberNode | NameNode | CallNode | ParenNode | UnaryNode | BinaryNode;

export interface Span {
  pos: number;
  end: number;
}

export interface NumberNode extends Span {
  kind: "number";
  value: number;
  /** Written with R's integer suffix (`2L`); R deparses it back with the suffix. */
  integer?: boolean;
}

export interface NameNode extends Span {
  kind: "name";
  name: string;
}

export interface CallNode extends Span {
  kind: "call";
  fn: string;
  args: Expr[];
  /** Names of named arguments (`raw` in `poly(x, 2, raw = TRUE)`), aligned with args; absent when none is named. */
  argNames?: (string | undefined)[];
}

export interface ParenNode extends Span {
  kind: "paren";
  expr: Expr;
}

export interface UnaryNode extends Span {
  kind: "unary";
  op: "-" | "+";
  arg: Expr;
}

/** Binary operators the formula language knows: `~ | || + - * / ^ :` and `%in%`. */
export type BinaryOp = "~" | "|" | "||" | "+" | "-" | "*" | "/" | "^" | ":" | "%in%";

export interface BinaryNode extends Span {
  kind: "binary";
  op: BinaryOp;
  left: Expr;
  right: Expr;
  /** Offset of the operator itself, where errors about it point. */
  opPos: number;
}

/** Strip redundant parentheses: `((x))` is `x` for the formula algebra. */
export function unparen(e: Expr): Expr {
  while (e.kind === "paren") e = e.expr;
  return e;
}

import { FormulaError } from "./errors.js";

/** A token of the formula language, with its offset in the text for error carets. */
export interface Token {
  type: "number" | "name" | "op" | "(" | ")" | "," | "=" | "end";
  text: string;
  pos: number;
  end: number;
  /** For numbers: the value. */
  value?: number;
  /** For numbers: written with the integer suffix L. */
  integer?: boolean;
}

const OPERATORS = ["||", "~", "|", "+", "-", "*", "/", "^", ":"];

/** Split a formula into tokens. R's lexical rules for names (`a.b_c`, `` `odd name` ``) and numbers (`1`, `.5`, `2e-3`, `3L`). */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === "." && isDigit(text[i + 1] ?? ""))) {
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?L?/.exec(text.slice(i));
      if (!m) throw new FormulaError("malformed number", text, i);
      i += m[0].length;
      if (/[\p{L}_.]/u.test(text[i] ?? "")) throw new FormulaError("malformed number", text, start);
      const digits = m[0].endsWith("L") ? m[0].slice(0, -1) : m[0];
      const integer = m[0].endsWith("L");
      tokens.push({ type: "number", text: m[0], pos: start, end: i, value: Number(digits), integer });
      continue;
    }
    if (/[\p{L}.]/u.test(c)) {
      // R's names: letters (any script, as in a UTF-8 locale), digits, '.' and '_', not starting with a digit.
      const m = /^[\p{L}.][\p{L}\p{N}._]*/u.exec(text.slice(i))!;
      i += m[0].length;
      tokens.push({ type: "name", text: m[0], pos: start, end: i });
      continue;
    }
    if (c === "`") {
      const close = text.indexOf("`", i + 1);
      if (close < 0) throw new FormulaError("unterminated `quoted name`", text, i);
      if (close === i + 1) throw new FormulaError("empty `quoted name`", text, i);
      tokens.push({ type: "name", text: text.slice(i + 1, close), pos: start, end: close + 1 });
      i = close + 1;
      continue;
    }
    if (c === "%") {
      const close = text.indexOf("%", i + 1);
      const op = close < 0 ? "" : text.slice(i, close + 1);
      if (op !== "%in%") throw new FormulaError("unknown operator (only %in% is understood)", text, i);
      tokens.push({ type: "op", text: op, pos: start, end: close + 1 });
      i = close + 1;
      continue;
    }
    // '=' only names a function argument (poly(x, 2, raw = TRUE)); the parser rejects it anywhere else.
    if (c === "(" || c === ")" || c === "," || c === "=") {
      tokens.push({ type: c, text: c, pos: start, end: i + 1 });
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      tokens.push({ type: "op", text: op, pos: start, end: i + op.length });
      i += op.length;
      continue;
    }
    throw new FormulaError(`unexpected character '${c}'`, text, i);
  }
  tokens.push({ type: "end", text: "", pos: text.length, end: text.length });
  return tokens;
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

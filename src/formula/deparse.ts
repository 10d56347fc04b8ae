import type { Expr } from "./ast.js";

/**
 * R's deparse of an expression, which is how R names terms and model-matrix columns: `I(time^2)`, `I(a + b)`,
 * `I(x/2)`, `I(2 * x)`, `log(x)`. R puts spaces around `+ - * ~ | || %in%` and none around `/ ^ :`; unary minus
 * has no space; numbers are printed with up to 15 significant digits (`1e+05`, `0.5`).
 */
export function deparse(e: Expr): string {
  switch (e.kind) {
    case "number":
      return e.integer && Number.isInteger(e.value) ? `${e.value}L` : formatRNumber(e.value);
    case "name":
      // TRUE and FALSE are R's logical constants (poly(x, 2, raw = TRUE)), deparsed as written.
      return e.name === "TRUE" || e.name === "FALSE" ? e.name : deparseName(e.name);
    case "call":
      return `${deparseName(e.fn)}(${e.args
        .map((a, i) => (e.argNames?.[i] !== undefined ? `${e.argNames[i]} = ${deparse(a)}` : deparse(a)))
        .join(", ")})`;
    case "paren":
      return `(${deparse(e.expr)})`;
    case "unary":
      return `${e.op}${deparse(e.arg)}`;
    case "binary": {
      const tight = e.op === "/" || e.op === "^" || e.op === ":";
      const sep = tight ? e.op : ` ${e.op} `;
      return `${deparse(e.left)}${sep}${deparse(e.right)}`;
    }
  }
}

/**
 * R's reserved words (?Reserved): a name among them is not syntactic, so deparse backquotes it and make.names
 * appends a dot.
 */
export const R_RESERVED_WORDS: ReadonlySet<string> = new Set([
  "if",
  "else",
  "repeat",
  "while",
  "function",
  "for",
  "in",
  "next",
  "break",
  "TRUE",
  "FALSE",
  "NULL",
  "Inf",
  "NaN",
  "NA",
  "NA_integer_",
  "NA_real_",
  "NA_character_",
  "NA_complex_",
]);

/** A syntactic R name prints as is; anything else in backticks, as R does. */
export function deparseName(name: string): string {
  const syntactic = /^(?:\p{L}|\.(?![0-9]))[\p{L}\p{N}._]*$|^\.$/u.test(name) && !R_RESERVED_WORDS.has(name);
  return syntactic ? name : `\`${name}\``;
}

/**
 * R's as.character()/deparse() of a double: the fewest significant digits (at most 15) that give the same value
 * at 15 digits, in fixed notation unless scientific notation is shorter (R's default `scipen = 0`).
 */
export function formatRNumber(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Inf";
  if (x === -Infinity) return "-Inf";
  if (x === 0) return "0";
  // Fast path for the common case (numeric grouping codes): below 1e5 an integer's fixed form is never longer
  // than its scientific one, so R prints it as is.
  if (Number.isInteger(x) && Math.abs(x) < 1e5) return String(x);
  const target = Number(x.toPrecision(15));
  let digits = 1;
  while (digits < 15 && Number(x.toPrecision(digits)) !== target) digits++;
  const sci = x.toExponential(digits - 1); // e.g. "1.5e+5"
  const [mant, exp] = sci.split("e");
  const e = Number(exp);
  const sciText = `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  // Fixed notation with as many decimals as the significant digits need.
  const decimals = Math.max(0, digits - 1 - e);
  const fixedText = decimals > 100 || e >= 21 ? sciText : Number(x.toPrecision(digits)).toFixed(decimals);
  return fixedText.length <= sciText.length ? fixedText : sciText;
}

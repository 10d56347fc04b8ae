/**
 * Building SVG text without a DOM: escaped text and attributes, compact coordinates, and the document wrapper.
 * Every plot in src/plot is a pure function from numbers to a standalone SVG string (valid XML with its own
 * namespace and styles), so it renders the same in Node, a browser or a file viewer.
 */

const XML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/** Escapes text for XML content or a quoted attribute; drops characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing the control characters XML forbids
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
      .replace(/[&<>"']/g, (c) => XML_ESCAPES[c] as string)
  );
}

/** A coordinate with two decimals (sub-pixel enough), never "-0" or NaN. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return "0";
  const r = Math.round(x * 100) / 100;
  return Object.is(r, -0) ? "0" : String(r);
}

export type Attrs = Record<string, string | number | undefined>;

function attrs(a: Attrs): string {
  let s = "";
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined) continue;
    s += ` ${k}="${typeof v === "number" ? num(v) : escapeXml(v)}"`;
  }
  return s;
}

/** An element; `children` is already-built SVG (use `text()` for character data). */
export function el(tag: string, a: Attrs = {}, children?: string | string[]): string {
  const inner = Array.isArray(children) ? children.join("") : children;
  return inner === undefined || inner === ""
    ? `<${tag}${attrs(a)}/>`
    : `<${tag}${attrs(a)}>${inner}</${tag}>`;
}

/** A text element with escaped content. */
export function text(x: number, y: number, content: string, a: Attrs = {}): string {
  return el("text", { x, y, ...a }, escapeXml(content));
}

/** A polyline through the finite points (a break in the data splits it into several). */
export function polyline(xs: ArrayLike<number>, ys: ArrayLike<number>, a: Attrs = {}): string {
  const parts: string[] = [];
  let cur: string[] = [];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number;
    const y = ys[i] as number;
    if (Number.isFinite(x) && Number.isFinite(y)) cur.push(`${num(x)},${num(y)}`);
    else if (cur.length) {
      parts.push(cur.join(" "));
      cur = [];
    }
  }
  if (cur.length) parts.push(cur.join(" "));
  return parts.map((points) => el("polyline", { points, fill: "none", ...a })).join("");
}

export const FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";

/** The standalone document: XML declaration, namespace, a <title> for accessibility, white background. */
export function svgDocument(width: number, height: number, title: string, body: string[]): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    el(
      "svg",
      {
        xmlns: "http://www.w3.org/2000/svg",
        width,
        height,
        viewBox: `0 0 ${num(width)} ${num(height)}`,
        "font-family": FONT,
        "font-size": 12,
        role: "img",
        "aria-label": title,
      },
      [
        el("title", {}, escapeXml(title)),
        el("rect", { x: 0, y: 0, width, height, fill: "#ffffff" }),
        text(width / 2, 22, title, {
          "text-anchor": "middle",
          "font-size": 15,
          "font-weight": "bold",
          fill: "#111",
        }),
        ...body,
      ],
    ) +
    "\n"
  );
}

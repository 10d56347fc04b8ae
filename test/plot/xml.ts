/**
 * A strict XML 1.0 well-formedness check for the SVG strings, written for the tests (no DOM in Node): one root
 * element, properly nested and closed tags, quoted unique attributes, only the predefined or numeric entities, no
 * raw '<' or '&' in text. Returns null when well formed, else a message with the offset.
 */
const NAME = /^[A-Za-z_:][\w.:-]*/;

export function xmlError(src: string): string | null {
  let i = 0;
  const stack: string[] = [];
  let roots = 0;
  const fail = (msg: string) => `${msg} at offset ${i}: ${JSON.stringify(src.slice(i, i + 40))}`;
  const checkText = (t: string): string | null => {
    if (t.includes("<")) return "raw < in text";
    const amp = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.exec(t);
    return amp ? "unescaped & in text" : null;
  };
  if (src.startsWith("<?xml")) {
    const end = src.indexOf("?>");
    if (end < 0) return "unterminated XML declaration";
    i = end + 2;
  }
  while (i < src.length) {
    const lt = src.indexOf("<", i);
    const textPart = lt < 0 ? src.slice(i) : src.slice(i, lt);
    if (textPart.trim() !== "") {
      if (stack.length === 0) return fail("text outside the root element");
      const e = checkText(textPart);
      if (e) return fail(e);
    }
    if (lt < 0) break;
    i = lt;
    if (src.startsWith("<!--", i)) {
      const end = src.indexOf("-->", i);
      if (end < 0) return fail("unterminated comment");
      i = end + 3;
      continue;
    }
    if (src.startsWith("</", i)) {
      const m = NAME.exec(src.slice(i + 2));
      if (!m) return fail("bad closing tag");
      const name = m[0];
      const close = src.indexOf(">", i);
      if (close < 0 || src.slice(i + 2 + name.length, close).trim() !== "") return fail("bad closing tag");
      if (stack.pop() !== name) return fail(`mismatched </${name}>`);
      i = close + 1;
      continue;
    }
    const m = NAME.exec(src.slice(i + 1));
    if (!m) return fail("bad tag name");
    const name = m[0];
    if (stack.length === 0) {
      roots++;
      if (roots > 1) return fail("more than one root element");
    }
    i += 1 + name.length;
    const seen = new Set<string>();
    for (;;) {
      const ws = /^\s*/.exec(src.slice(i))?.[0].length ?? 0;
      i += ws;
      if (src.startsWith("/>", i)) {
        i += 2;
        break;
      }
      if (src[i] === ">") {
        stack.push(name);
        i += 1;
        break;
      }
      if (ws === 0) return fail("missing space before attribute");
      const a = NAME.exec(src.slice(i));
      if (!a) return fail("bad attribute name");
      if (seen.has(a[0])) return fail(`duplicate attribute ${a[0]}`);
      seen.add(a[0]);
      i += a[0].length;
      if (src[i] !== "=") return fail("attribute without value");
      const q = src[i + 1];
      if (q !== '"' && q !== "'") return fail("unquoted attribute value");
      const end = src.indexOf(q, i + 2);
      if (end < 0) return fail("unterminated attribute value");
      const e = checkText(src.slice(i + 2, end));
      if (e) return fail(`${e} (attribute ${a[0]})`);
      i = end + 1;
    }
  }
  if (stack.length) return `unclosed <${stack[stack.length - 1]}>`;
  return roots === 1 ? null : "no root element";
}

/** Small DOM helpers: the page is plain TypeScript, no framework. */

/** The element with this id, typed; throws if index.html lost it (a programming error, not a user one). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`index.html has no element #${id}`);
  return element as T;
}

type Child = Node | string | number | null | undefined | false;

/** Create an element with attributes and children (strings become text nodes, never HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Show a message in an error element, or hide it when the message is empty. */
export function showError(element: HTMLElement, message: string | undefined): void {
  element.textContent = message ?? "";
  element.hidden = !message;
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Parse SVG markup produced by src/plot into a node (the plots are our own strings, not user HTML). */
export function svgNode(markup: string): Node {
  const template = document.createElement("template");
  // The standalone SVG's XML declaration means nothing inside HTML (it would become a bogus comment).
  template.innerHTML = markup.replace(/^\s*<\?xml[^>]*>\s*/, "");
  return template.content;
}

/** Let the browser paint before a synchronous computation (a fit) blocks the main thread for a moment. */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

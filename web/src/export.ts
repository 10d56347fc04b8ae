/**
 * Downloads: text, CSV, SVG and PNG files made in the page from what it shows (nothing is uploaded). Each link
 * carries `data-export` (what it is) so that tests can find it.
 */
import { el } from "./dom.js";

/** A CSV cell: quoted when it holds a comma, quote or line break (RFC 4180); null is empty. */
function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "number" ? (Number.isFinite(v) ? String(v) : "NA") : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: (string | number | null | undefined)[][]): string {
  return [header, ...rows].map((r) => r.map(cell).join(",")).join("\n") + "\n";
}

function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A button that downloads `make()`'s text as `name`. */
export function textDownload(
  label: string,
  name: string,
  type: string,
  make: () => string,
): HTMLButtonElement {
  const button = el("button", { type: "button", class: "export", "data-export": name }, label);
  button.addEventListener("click", () => download(name, new Blob([make()], { type })));
  return button;
}

/** An SVG rendered to PNG at twice its size (for slides and documents). */
async function svgToPng(svg: string): Promise<Blob> {
  const image = new Image();
  const url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
  try {
    image.src = url;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = image.naturalWidth * 2;
    canvas.height = image.naturalHeight * 2;
    const context = canvas.getContext("2d")!;
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("PNG encoding failed"))), "image/png"),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** "SVG" and "PNG" download buttons for a plot. */
export function plotDownloads(name: string, svg: string): HTMLElement {
  const png = el("button", { type: "button", class: "export", "data-export": `${name}.png` }, "PNG");
  png.addEventListener("click", () => {
    void svgToPng(svg).then((blob) => download(`${name}.png`, blob));
  });
  return el(
    "div",
    { class: "export-row" },
    textDownload("SVG", `${name}.svg`, "image/svg+xml", () => svg),
    png,
  );
}

/**
 * The data section: a CSV from the person's disk (read in the page, never uploaded) or a bundled example, parsed by
 * the library's own parseCsv in the analysis worker (so the preview shows the types the model will see, and a
 * large file does not freeze the page), and previewed.
 */
import * as Comlink from "comlink";
import { analysis } from "./analysis.js";
import { renderPreview } from "./data-preview.js";
import { byId, messageOf, showError } from "./dom.js";
import { type Example, examples } from "./examples.js";

export interface LoadedData {
  source: string;
  rows: number;
  /** Formulas suggested with the data (the examples have some). */
  example?: Example;
  /** The example's key ("sitka"), for the page's address. */
  exampleKey?: string;
}

/** Larger files work but take long to read. */
const MAX_FILE_BYTES = 50 * 1024 * 1024;

export class DataSection {
  private readonly fileInput = byId<HTMLInputElement>("csv-file");
  private readonly status = byId("data-status");
  private readonly error = byId("data-error");
  private readonly preview = byId("data-preview");

  constructor(private readonly onLoad: (data: LoadedData) => void) {
    this.fileInput.addEventListener("change", () => {
      const file = this.fileInput.files?.[0];
      if (file) void this.loadFile(file);
    });
    for (const key of Object.keys(examples) as (keyof typeof examples)[]) {
      byId(`example-${key}`).addEventListener("click", () => void this.loadExample(key));
    }
  }

  loadExample(key: keyof typeof examples): Promise<LoadedData | undefined> {
    const example = examples[key];
    return this.load(example.file, example.text, example, key);
  }

  private async loadFile(file: File): Promise<void> {
    if (file.size > MAX_FILE_BYTES) {
      showError(
        this.error,
        `${file.name} is ${(file.size / 1e6).toFixed(0)} MB; this page reads files up to 50 MB.`,
      );
      return;
    }
    try {
      performance.mark("spruce:file-read-start");
      const bytes = await file.arrayBuffer();
      performance.mark("spruce:file-read-end");
      await this.load(file.name, bytes);
    } catch (error) {
      showError(this.error, `Cannot read ${file.name}: ${messageOf(error)}`);
    }
  }

  private async load(
    source: string,
    text: string | ArrayBuffer,
    example?: Example,
    exampleKey?: string,
  ): Promise<LoadedData | undefined> {
    this.status.textContent = `Reading ${source}…`;
    let reply: Awaited<ReturnType<typeof analysis.load>>;
    try {
      reply = await analysis.load(source, typeof text === "string" ? text : Comlink.transfer(text, [text]));
    } catch (error) {
      this.status.textContent = "No data loaded.";
      showError(this.error, messageOf(error));
      return undefined;
    }
    performance.mark("spruce:data-parsed");
    showError(this.error, undefined);
    const table = renderPreview(reply.preview);
    table.dataset.source = source;
    this.preview.replaceChildren(table);
    this.status.textContent =
      `${source}: ${reply.preview.rows} rows, ${reply.preview.columns.length} columns` +
      (reply.missingCells > 0
        ? ` (${reply.missingCells} cells missing: rows missing a variable a model uses are dropped, as lme4 does)`
        : "");
    const data: LoadedData = {
      source,
      rows: reply.preview.rows,
      ...(example ? { example } : {}),
      ...(exampleKey ? { exampleKey } : {}),
    };
    this.onLoad(data);
    performance.mark("spruce:data-shown");
    return data;
  }
}

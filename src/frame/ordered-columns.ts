/**
 * Ordered factors that the data declare themselves: Apache Arrow columns of an ordered dictionary type
 * (`Dictionary` with `isOrdered`, as pandas' ordered Categorical and R's ordered factors arrive through Arrow). The
 * dictionary's order is the order of the levels. arquero has no factor type, and CSV none at all: there the
 * `ordered` option declares them (src/design/ordered.ts).
 */
import { DataError } from "../errors.js";

interface ArrowField {
  name: string;
  type?: { isOrdered?: unknown };
}

interface ArrowChunk {
  dictionary?: Iterable<unknown> | null;
}

/** Levels in order per ordered-dictionary column of an Arrow table (duck-typed); undefined when there is none. */
export function arrowOrderedLevels(input: object): Map<string, (string | number)[]> | undefined {
  const schema = (input as { schema?: { fields?: unknown } }).schema;
  const getChild = (input as { getChild?: unknown }).getChild;
  if (!schema || !Array.isArray(schema.fields) || typeof getChild !== "function") return undefined;
  let out: Map<string, (string | number)[]> | undefined;
  for (const field of schema.fields as ArrowField[]) {
    if (field.type?.isOrdered !== true) continue;
    const child = getChild.call(input, field.name) as { data?: ArrowChunk[] } | null;
    let levels: (string | number)[] | undefined;
    for (const chunk of child?.data ?? []) {
      if (!chunk.dictionary) continue;
      const these = Array.from(chunk.dictionary, (v) =>
        typeof v === "number" || typeof v === "bigint" ? Number(v) : String(v),
      );
      if (levels === undefined) levels = these;
      else if (these.length !== levels.length || these.some((v, i) => v !== (levels as unknown[])[i]))
        throw new DataError(
          `column '${field.name}' is an ordered dictionary whose chunks have different dictionaries; ` +
            "give its levels in order with the ordered option",
        );
    }
    if (levels === undefined) continue;
    out ??= new Map();
    out.set(field.name, levels);
  }
  return out;
}

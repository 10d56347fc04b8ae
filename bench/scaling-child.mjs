// One case of the scaling bench (bench/scaling.bench.ts), in a process of its own so that its peak memory is its
// own: plain Node on the compiled dist/ (what users run; `npm run bench` builds it). Argument: the case as JSON.
// Prints one JSON line: the design and whole-fit milliseconds of each repetition, the fit's evaluations and
// objective, the resident memory once the data are in memory, the process's peak (maxRSS) after the first fit
// (what one fit costs) and at the end.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { readCsv, fromColumns } = await import(join(root, "dist/frame/index.js"));
const { buildDesign } = await import(join(root, "dist/design/build.js"));
const { fitMixed } = await import(join(root, "dist/fit/fit.js"));

const spec = JSON.parse(process.argv[2]);

/** mulberry32: a small seeded generator, so that every run fits the same data. */
function generator(seed) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

/**
 * Synthetic data as typed columns. crossed: every row a random level of `a` (big) and of `b` (small), crossed;
 * nested: `class` (big) nested in `school` (small), classes numbered within their school.
 */
function synthetic({ design, n, big, small, seed }) {
  const { uniform, normal } = generator(seed);
  const effect = (k, sd) => Float64Array.from({ length: k }, () => sd * normal());
  const y = new Float64Array(n);
  const x = new Float64Array(n);
  const g1 = new Int32Array(n);
  const g2 = new Int32Array(n);
  const eBig = effect(big, 0.8);
  const eSmall = effect(small, 0.5);
  const perSchool = Math.max(1, Math.round(big / small));
  for (let i = 0; i < n; i++) {
    x[i] = normal();
    if (design === "crossed") {
      g1[i] = Math.floor(uniform() * big);
      g2[i] = Math.floor(uniform() * small);
    } else {
      g2[i] = Math.floor(uniform() * small);
      g1[i] = Math.floor(uniform() * perSchool);
    }
    const bigEffect = design === "crossed" ? eBig[g1[i]] : eBig[(g2[i] * perSchool + g1[i]) % big];
    y[i] = 2 + 0.5 * x[i] + bigEffect + eSmall[g2[i]] + normal();
  }
  return design === "crossed" ? { y, x, a: g1, b: g2 } : { y, x, class: g1, school: g2 };
}

const data = spec.csv ? readCsv(join(root, spec.csv)) : fromColumns(synthetic(spec));
const rssData = process.memoryUsage().rss;
const design = [];
const fit = [];
/** CPU milliseconds of this process (all its threads: compiler and collector included) per fit. */
const fitCpu = [];
let maxRssFirstMb = 0;
let last;
for (let r = 0; r < spec.reps; r++) {
  const t0 = performance.now();
  const d = buildDesign(spec.formula, data);
  const t1 = performance.now();
  const c0 = process.cpuUsage();
  last = await fitMixed(spec.formula, data, { REML: spec.REML });
  const c = process.cpuUsage(c0);
  const t2 = performance.now();
  design.push(t1 - t0);
  fit.push(t2 - t1);
  fitCpu.push((c.user + c.system) / 1000);
  if (r === 0) {
    spec.p = d.fixedNames.length;
    maxRssFirstMb = process.resourceUsage().maxRSS / 1024;
  }
  last.engine.dispose?.();
}
console.log(
  JSON.stringify({
    design,
    fit,
    p: spec.p,
    levels: last.design.terms.map((t) => t.levels.length),
    evaluations: last.optimizer.evaluations,
    converged: last.optimizer.converged,
    objective: last.objective,
    fitCpu,
    rssDataMb: rssData / 2 ** 20,
    maxRssFirstMb,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);

/**
 * The SVG plot library without a browser: every plot is well-formed XML, text is escaped, ticks are nice, and the
 * marks sit where the data say (the Cook's line at 3×mean, the QQ points at R's plotting positions).
 */
import { describe, expect, it } from "vitest";
import { ppoints, qqCoordinates } from "../../src/diagnostics/qq.js";
import { normalCdf, qnorm } from "../../src/distributions/normal.js";
import {
  cooksDistanceSvg,
  escapeXml,
  linearScale,
  lrtBootstrapSvg,
  niceStep,
  observedFittedSvg,
  plotModel,
  qqPanelsSvg,
  qqSvg,
  residualsVsFittedSvg,
} from "../../src/plot/index.js";
import { lme4ThetaModel } from "../diagnostics/support.js";
import { xmlError } from "./xml.js";

describe("xml checker (the test's own oracle)", () => {
  it("accepts a well-formed document and rejects broken ones", () => {
    expect(
      xmlError('<?xml version="1.0"?>\n<svg a="1"><g><text>a &amp; b</text></g><rect/></svg>'),
    ).toBeNull();
    expect(xmlError("<svg><g></svg>")).not.toBeNull();
    expect(xmlError("<svg><text>a & b</text></svg>")).not.toBeNull();
    expect(xmlError('<svg a="1" a="2"/>')).not.toBeNull();
    expect(xmlError("<svg a=1/>")).not.toBeNull();
    expect(xmlError("<svg/><svg/>")).not.toBeNull();
  });
});

describe("escaping", () => {
  it("escapes markup characters and drops forbidden control characters", () => {
    expect(escapeXml(`a<b>&"c'\u0001`)).toBe("a&lt;b&gt;&amp;&quot;c&apos;");
  });
  it("a title full of markup still gives well-formed SVG that contains it escaped", () => {
    const title = `<script>alert("x")</script> & y'`;
    const svg = residualsVsFittedSvg({ fitted: [1, 2, 3], residuals: [0.1, -0.2, 0.1], title });
    expect(xmlError(svg)).toBeNull();
    expect(svg).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; y&apos;");
    expect(svg).not.toContain("<script>");
  });
});

describe("scales and ticks", () => {
  it("steps are 1, 2 or 5 times a power of ten", () => {
    expect(niceStep(10, 5)).toBe(2);
    expect(niceStep(0.37, 5)).toBeCloseTo(0.1, 12);
    expect(niceStep(2600, 6)).toBe(500);
  });
  it("ticks cover the padded domain and labels carry the step's decimals", () => {
    const s = linearScale([0.12, 0.87], [0, 100], { ticks: 5 });
    expect(s.ticks[0]).toBeGreaterThanOrEqual(s.domain[0]);
    expect(s.ticks[s.ticks.length - 1]).toBeLessThanOrEqual(s.domain[1]);
    expect(s.ticks.map(s.format)).toEqual(["0.2", "0.4", "0.6", "0.8"]);
    expect(s(s.domain[0])).toBe(0);
    expect(s(s.domain[1])).toBe(100);
    const neg = linearScale([-3, 3], [0, 1]);
    expect(neg.ticks.map(neg.format)).toContain("0");
    expect(neg.ticks.map(neg.format).some((t) => t.startsWith("\u2212"))).toBe(true);
  });
  it("a constant series still gets a positive span", () => {
    const s = linearScale([5, 5], [0, 1]);
    expect(s.domain[1]).toBeGreaterThan(s.domain[0]);
  });
});

describe("QQ coordinates", () => {
  it("use R's ppoints: a = 3/8 up to 10 points, 1/2 above", () => {
    expect(Array.from(ppoints(3))).toEqual([0.625 / 3.25, 1.625 / 3.25, 2.625 / 3.25]);
    expect(ppoints(20)[0]).toBeCloseTo(0.5 / 20, 15);
  });
  it("theoretical quantiles invert the normal CDF (independent implementation) to 1e-13", () => {
    for (const p of [1e-12, 1e-5, 0.01, 0.2, 0.5, 0.77, 0.975, 0.999999])
      expect(Math.abs(normalCdf(qnorm(p)) - p) / p).toBeLessThan(1e-12);
    const qq = qqCoordinates([3, 1, 2, 10]);
    expect(Array.from(qq.sample)).toEqual([1, 2, 3, 10]);
    expect(qq.theoretical[0]).toBeCloseTo(-qq.theoretical[3], 14);
  });
  it("the reference line passes through the quartiles (qqline)", () => {
    const qq = qqCoordinates([1, 2, 3, 4, 5]);
    // Type-7 quartiles of 1..5 are 2 and 4.
    expect(qq.line.intercept + qq.line.slope * qnorm(0.25)).toBeCloseTo(2, 12);
    expect(qq.line.intercept + qq.line.slope * qnorm(0.75)).toBeCloseTo(4, 12);
  });
});

describe("plots are well-formed standalone SVG", () => {
  const model = lme4ThetaModel("sleepstudy_reml");
  const plots = plotModel(model);

  it("plotModel gives the five diagnostic plots, each valid XML with its title", () => {
    expect(plots.map((p) => p.name)).toEqual([
      "residuals-fitted",
      "qq-residuals",
      "qq-ranef",
      "cooks-distance",
      "observed-fitted",
    ]);
    for (const p of plots) {
      expect(xmlError(p.svg), p.name).toBeNull();
      expect(p.svg).toContain('xmlns="http://www.w3.org/2000/svg"');
      expect(p.svg).toContain(`<title>${escapeXml(p.title)}</title>`);
      expect(p.svg).not.toMatch(/NaN|undefined|Infinity/);
    }
  });
  it("the random-effects QQ plot has one panel per term column", () => {
    const svg = plots.find((p) => p.name === "qq-ranef")?.svg ?? "";
    expect(svg).toContain("(Intercept) | Subject");
    expect(svg).toContain("Days | Subject");
    // 18 subjects per panel.
    expect(svg.match(/<circle/g)?.length).toBe(36);
  });
  it("the observed-vs-fitted plot has a panel per subject against Days", () => {
    const svg = plots.find((p) => p.name === "observed-fitted")?.svg ?? "";
    expect(svg.match(/Subject \d+</g)?.length).toBe(18);
    expect(svg).toContain(">Days<");
    expect(svg.match(/<circle/g)?.length).toBe(180);
  });
  it("Cook's plot draws the 3×mean line at the right height and labels the points above it", () => {
    const values = [0.1, 0.2, 0.1, 2, 0.1, 0.1];
    const svg = cooksDistanceSvg({ values });
    expect(xmlError(svg)).toBeNull();
    const cut = (3 * values.reduce((a, b) => a + b, 0)) / values.length;
    expect(svg).toContain(`3 \u00d7 mean = ${cut.toPrecision(3)}`);
    // Only observation 4 exceeds 3×mean = 1.3: one red label "4".
    expect(svg.match(/fill="#c0392b">4<\/text>/g)?.length).toBe(1);
    expect(svg.match(/stroke="#c0392b"/g)?.length).toBe(1);
  });
  it("the LRT plot shows the histogram, the χ² curve and the observed statistic", () => {
    const reps = Array.from({ length: 200 }, (_, i) => -2 * Math.log(1 - (i + 0.5) / 200));
    const svg = lrtBootstrapSvg({
      replicates: [...reps, Number.NaN],
      observed: 7.5,
      df: 2,
      pValueChisq: 0.0235,
    });
    expect(xmlError(svg)).toBeNull();
    expect(svg).toContain("observed T = 7.500");
    expect(svg).toContain("\u03c7\u00b2 density, df = 2");
    expect(svg).toContain("B = 200");
    expect(svg).toContain("<polyline");
    expect(svg).not.toMatch(/NaN|Infinity/);
    // df = 1: the density is unbounded at 0, the plot must stay finite.
    expect(lrtBootstrapSvg({ replicates: reps, observed: 1, df: 1 })).not.toMatch(/NaN|Infinity/);
  });
  it("degenerate inputs (empty, constant, single group) still give valid SVG", () => {
    for (const svg of [
      residualsVsFittedSvg({ fitted: [], residuals: [] }),
      residualsVsFittedSvg({ fitted: [1, 1], residuals: [0, 0] }),
      qqSvg({ qq: qqCoordinates([2, 2, 2]) }),
      qqPanelsSvg({ panels: [] }),
      cooksDistanceSvg({ values: [0, 0, Number.NaN] }),
      lrtBootstrapSvg({ replicates: [], observed: Number.NaN, df: 3 }),
      observedFittedSvg({ groups: [{ name: "a", x: [1], observed: [2], fitted: [2] }] }),
    ]) {
      expect(xmlError(svg)).toBeNull();
      expect(svg).not.toMatch(/NaN|undefined/);
    }
  });
  it("more than 100 groups are overlaid in one panel", () => {
    const groups = Array.from({ length: 120 }, (_, g) => ({
      name: String(g),
      x: [0, 1, 2],
      observed: [g, g + 1, g + 2],
      fitted: [g, g + 1, g + 2],
    }));
    const svg = observedFittedSvg({ groups, xLabel: "x", yLabel: "y" });
    expect(xmlError(svg)).toBeNull();
    expect(svg.match(/<clipPath/g)?.length).toBe(1);
    expect(svg.match(/<polyline/g)?.length).toBe(120);
  });
});

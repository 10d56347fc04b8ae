/**
 * The package as a new user meets it (issue 16): `npm pack`, the tarball installed into a fresh project (from the
 * npm cache where it can: `--prefer-offline`), then
 * - the tarball is at most 250 kB;
 * - README's "Use" example runs verbatim (copied out of README.md, not retyped) and prints lme4's tables;
 * - TypeScript type-checks a program against the package with moduleResolution "bundler" and "node16";
 * - `require("spruce-lmm")` works (Node >= 20.19 loads the ES module) or says that the package is ESM;
 * - `spruce --version` prints the version;
 * - a plain Vite app (no vite.config) builds without a warning and runs a fit and a worker bootstrap in Debian's
 *   chromium;
 * - a Node program bundled by esbuild into one file, run from another folder, still finds the kernels;
 * - a bundle of `import { qnorm }` alone leaves papaparse and the kernels out ("sideEffects").
 *
 * `npm run test:package` (builds first). Needs npm and, for the browser part, /usr/bin/chromium.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveStatic } from "../e2e/support/static-server.js";
import { hasChromium, launchChromium } from "../support/chromium.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const templates = fileURLToPath(new URL("./project", import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  version: string;
  devDependencies: Record<string, string>;
};
const MAX_TARBALL = 250_000;

let work: string;
let project: string;
let tarball: string;

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 300_000,
  });
  return {
    status: r.status,
    stdout: r.stdout ?? "",
    stderr: r.stderr ?? "",
    all: `${r.stdout}\n${r.stderr}`,
  };
}

/** README's `ts` code block of the "Use" section, as written. */
function readmeUseExample(): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Use"));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error("README.md has no ts block under ## Use");
  return match[1];
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "spruce-package-"));
  // --ignore-scripts: the package was just built (npm run test:package builds first); prepare would rebuild it.
  const packed = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], {
    cwd: root,
    encoding: "utf8",
  });
  tarball = join(work, (JSON.parse(packed) as { filename: string }[])[0]!.filename);
  project = join(work, "project");
  mkdirSync(project);
  cpSync(templates, project, { recursive: true });
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "fresh-project", private: true, type: "module" }, null, 2),
  );
  // The same tool versions as this repository's (so that the npm cache has them).
  const tools = ["vite", "esbuild", "typescript"].map((name) => `${name}@${pkg.devDependencies[name]}`);
  const install = run(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tarball, ...tools],
    project,
  );
  if (install.status !== 0) throw new Error(`npm install failed:\n${install.all}`);
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the packed package", () => {
  it(`is at most ${MAX_TARBALL / 1000} kB, with the release wasm only, no source maps, a LICENSE`, () => {
    expect(statSync(tarball).size).toBeLessThanOrEqual(MAX_TARBALL);
    const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
    expect(files).toContain("package/build/spruce.wasm");
    expect(files).toContain("package/LICENSE");
    expect(files.filter((f) => f.endsWith(".map") || f.includes("debug"))).toEqual([]);
  });

  it("runs README's Use example verbatim", () => {
    writeFileSync(join(project, "readme-use.mjs"), readmeUseExample());
    const r = run("node", ["readme-use.mjs"], project);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("Linear mixed model fit by maximum likelihood");
    expect(r.stdout).toMatch(/m1\s+13\s/);
    expect(r.stdout).toContain("sd_(Intercept)|tree");
  }, 300_000);

  for (const resolution of ["bundler", "node16"] as const)
    it(`type-checks with moduleResolution ${resolution}`, () => {
      const config = `tsconfig.${resolution}.json`;
      writeFileSync(
        join(project, config),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            target: "es2022",
            module: resolution === "bundler" ? "esnext" : "node16",
            moduleResolution: resolution,
            // The package's own declarations are checked too, without Node's types: a browser project has none.
            skipLibCheck: false,
            lib: ["es2022", "dom"],
            types: [],
          },
          files: ["ts/check.ts"],
        }),
      );
      const r = run("npx", ["tsc", "-p", config], project);
      expect(r.all.trim().replace(/^\n+/, "")).toBe("");
      expect(r.status).toBe(0);
    }, 120_000);

  it("require() loads it or says that it is an ES module", () => {
    writeFileSync(join(project, "use.cjs"), 'const s = require("spruce-lmm"); console.log(typeof s.fit);\n');
    const r = run("node", ["use.cjs"], project);
    if (r.status === 0) expect(r.stdout.trim()).toBe("function");
    else expect(r.stderr).toContain("spruce-lmm is an ES module");
    // A Node that cannot require() ES modules (as before 20.19): the message says what to do.
    const old = run("node", ["--no-experimental-require-module", "use.cjs"], project);
    expect(old.status).not.toBe(0);
    expect(old.stderr).toContain("spruce-lmm is an ES module and this Node.js cannot require() it");
    expect(old.stderr).toContain('await import("spruce-lmm")');
  });

  it("spruce --version prints the version", () => {
    const r = run("npx", ["spruce", "--version"], project);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('tree-shakes: a bundle of `import { qnorm }` holds neither papaparse nor the kernels ("sideEffects")', () => {
    const out = join(work, "shake.mjs");
    const build = run(
      "npx",
      [
        "esbuild",
        "shake/qnorm.mjs",
        "--bundle",
        "--minify",
        "--format=esm",
        "--platform=browser",
        `--outfile=${out}`,
      ],
      project,
    );
    expect(build.status, build.all).toBe(0);
    const code = readFileSync(out, "utf8");
    expect(code.length).toBeLessThan(8000);
    expect(code).not.toMatch(/papaparse|Papa\.|KERNELS_GZIP_BASE64/);
    // R: qnorm(0.975) = 1.959963984540054
    expect(Math.abs(Number(run("node", [out], project).stdout) - 1.959963984540054)).toBeLessThan(1e-15);
  });

  it("bundled by esbuild into one file, run from elsewhere, still finds the kernels", () => {
    const out = join(work, "elsewhere");
    mkdirSync(out);
    const build = run(
      "npx",
      [
        "esbuild",
        "bundle/app.mjs",
        "--bundle",
        "--platform=node",
        "--format=esm",
        `--outfile=${out}/app.mjs`,
      ],
      project,
    );
    expect(build.status, build.all).toBe(0);
    expect(build.all).not.toMatch(/warning/i);
    const r = run("node", ["app.mjs"], out);
    expect(r.status, r.all).toBe(0);
    const fitted = JSON.parse(r.stdout) as {
      logLik: number;
      theta: number[];
      workerError: string;
      inThread: number;
    };
    expect(fitted.workerError).toMatch(/worker module is not at .*workers: 0/);
    expect(fitted.inThread).toBe(4);
    // lme4: logLik(lmer(Reaction ~ Days + (Days | Subject), sleepstudy)) = -871.8141
    expect(fitted.logLik).toBeCloseTo(-871.8141, 3);
    expect(Array.isArray(fitted.theta)).toBe(true);
  }, 120_000);
});

/** The `#out` result of the Vite app at `url`, in chromium. */
async function runViteApp(url: string) {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url);
    await page.waitForSelector("#out[data-state]", { timeout: 120_000 });
    const text = (await page.textContent("#out")) ?? "";
    return { state: await page.getAttribute("#out", "data-state"), text, errors };
  } finally {
    await browser.close();
  }
}

/** A free localhost port. */
async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe.skipIf(!hasChromium())("a plain Vite app", () => {
  it("runs on Vite's dev server with no config too (fit and worker bootstrap)", async () => {
    const port = await freePort();
    const child = spawn("npx", ["vite", "vite-app", "--port", String(port), "--strictPort"], {
      cwd: project,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so that the server (a grandchild of npx) is stopped with it.
      detached: true,
    });
    let log = "";
    child.stdout.on("data", (d) => {
      log += String(d);
    });
    child.stderr.on("data", (d) => {
      log += String(d);
    });
    try {
      const started = Date.now();
      while (!/ready in/.test(log) && Date.now() - started < 60_000)
        await new Promise((r) => setTimeout(r, 200));
      const result = await runViteApp(`http://localhost:${port}/`);
      expect(result.state, result.text).toBe("done");
      const parsed = JSON.parse(result.text) as { valid: number; workers: number };
      expect(parsed.valid).toBe(40);
      expect(parsed.workers).toBe(2);
      expect(result.errors).toEqual([]);
      expect(log).not.toMatch(/warn|externalized|error/i);
    } finally {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
    }
  }, 300_000);

  it("builds with no config and no warnings, and fits and bootstraps in chromium", async () => {
    const build = run("npx", ["vite", "build", "vite-app"], project, { NO_COLOR: "1" });
    expect(build.status, build.all).toBe(0);
    expect(build.all).not.toMatch(/warn|externalized|\(!\)|error/i);
    const server = await serveStatic(join(project, "vite-app", "dist"));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(server.url);
      await page.waitForSelector("#out[data-state]", { timeout: 120_000 });
      const text = (await page.textContent("#out")) ?? "";
      expect(await page.getAttribute("#out", "data-state"), text).toBe("done");
      const result = JSON.parse(text) as {
        logLik: number[];
        chisq: number;
        valid: number;
        workers: number;
        stats: number[];
        qnorm: number;
      };
      const lme4 = JSON.parse(
        readFileSync(join(root, "test/fixtures/conformance/anova_sitka.json"), "utf8"),
      ) as {
        Chisq: number;
        logLik: number[];
      };
      expect(result.logLik[0]).toBeCloseTo(lme4.logLik[0] as number, 4);
      expect(result.logLik[1]).toBeCloseTo(lme4.logLik[1] as number, 4);
      expect(result.chisq).toBeCloseTo(lme4.Chisq, 4);
      expect(result.valid).toBe(40);
      expect(result.workers).toBe(2);
      expect(result.stats).toHaveLength(40);
      expect(result.qnorm).toBeCloseTo(1.959964, 6);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 300_000);
});

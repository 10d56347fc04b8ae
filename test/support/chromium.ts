/**
 * Debian's chromium driven by playwright-core: no browser is downloaded, `executablePath` points at the system one
 * (installed by `.ci/run`: `apt-get install chromium`).
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

export const chromiumPath = process.env.SPRUCE_CHROMIUM ?? "/usr/bin/chromium";

export function hasChromium(): boolean {
  return existsSync(chromiumPath);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      // Running as root in a container: chromium's sandbox needs user namespaces it does not get.
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

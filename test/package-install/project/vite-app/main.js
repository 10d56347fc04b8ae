// A plain Vite app (no vite.config): fit two models of the bundled Sitka data and bootstrap their LRT in Web Workers.
import { anova, bootstrapLRT, datasets, fit, qnorm } from "spruce-lmm";

const out = document.getElementById("out");
try {
  const sitka = datasets.sitka;
  const m0 = await fit("size ~ time+I(time^2) + (time+I(time^2)|tree)", sitka, { REML: false });
  const m1 = await fit("size ~ treat*(time+I(time^2)) + (time+I(time^2)|tree)", sitka, { REML: false });
  const table = anova(m0, m1);
  const boot = await bootstrapLRT(m0, m1, { nsim: 40, seed: 1, workers: 2 });
  const result = {
    logLik: [m0.logLik(), m1.logLik()],
    chisq: table.rows[1].Chisq,
    valid: boot.valid,
    workers: boot.workers,
    pBootstrap: boot.pBootstrap,
    stats: JSON.parse(JSON.stringify(boot)).stats,
    qnorm: qnorm(0.975),
  };
  out.textContent = JSON.stringify(result);
  out.dataset.state = "done";
} catch (error) {
  out.textContent = String(error?.stack ?? error);
  out.dataset.state = "error";
}

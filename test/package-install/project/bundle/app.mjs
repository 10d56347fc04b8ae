// Bundled by esbuild into one file and run from another folder: the kernels must still be found (embedded copy);
// worker threads need the package's worker module, so a bootstrap says how to run without it.
import { bootstrap, datasets, fit } from "spruce-lmm";

const m = await fit("Reaction ~ Days + (Days|Subject)", datasets.sleepstudy);
let workerError = "";
try {
  await bootstrap(m, { nsim: 4, seed: 1 });
} catch (error) {
  workerError = String(error?.message ?? error);
}
const inThread = await bootstrap(m, { nsim: 4, seed: 1, workers: 0 });
console.log(
  JSON.stringify({ logLik: m.logLik(), theta: m.theta, workerError, inThread: inThread.completed }),
);

#!/usr/bin/env node
/**
 * The `spruce` executable: starts the bootstrap's workers first when the command is `spruce boot` (so that they
 * load and warm up while the command's modules load and the models are fitted, ./early-workers.ts), then runs the
 * command (./main.ts).
 */
import { startEarlyWorkers } from "./early-workers.js";

await startEarlyWorkers(process.argv);
await import("./main.js");

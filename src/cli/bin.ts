#!/usr/bin/env node
/**
 * The `spruce` executable: closes Node 20's worker-teardown race for the commands that run workers
 * (./worker-teardown.ts), starts the bootstrap's workers first when the command is `spruce boot` (so that they
 * load and warm up while the command's modules load and the models are fitted, ./early-workers.ts), then runs the
 * command (./main.ts).
 */
import { startEarlyWorkers } from "./early-workers.js";
import { avoidWorkerTeardownRace } from "./worker-teardown.js";

avoidWorkerTeardownRace(process.argv);
await startEarlyWorkers(process.argv);
await import("./main.js");

/**
 * V8 flags for the processes that run the tests (vitest's `execArgv`).
 *
 * Node 20 tears a worker thread down by unregistering its isolate from the platform *before* disposing it
 * (src/node_worker.cc, `~WorkerThreadData`). A TurboFan job still compiling on a background thread in that window
 * can start incremental marking, asks the platform for the isolate's foreground task runner, and aborts the whole
 * process: `NodePlatform::ForIsolate ... Assertion failed: (data.first) != nullptr`. Node fixed the order
 * (unregister after dispose) in 2025, after the 20.x line. The tests start and stop hundreds of pool workers, some
 * of them mid-job on purpose (cancellation, a killed worker), so one CI run in many hit it and lost a test file.
 *
 * `--no-concurrent-recompilation` makes TurboFan compile on the isolate's own thread, so no background job can
 * outlive the isolate. Results do not depend on it; only compile scheduling changes.
 */
export const testExecArgv: string[] = ["--no-concurrent-recompilation"];

import type { Command } from "commander";

// Placeholder: replaced by the issue that builds `spruce plot`.
export function registerPlot(program: Command): void {
  program.command("plot").description("(not built yet)").action(() => {
    throw new Error("spruce plot is not built yet");
  });
}

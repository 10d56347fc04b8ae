import type { Command } from "commander";

// Placeholder: replaced by the issue that builds `spruce fit`.
export function registerFit(program: Command): void {
  program.command("fit").description("(not built yet)").action(() => {
    throw new Error("spruce fit is not built yet");
  });
}

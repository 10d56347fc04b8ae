import type { Command } from "commander";

// Placeholder: replaced by the issue that builds `spruce formula`.
export function registerFormula(program: Command): void {
  program.command("formula").description("(not built yet)").action(() => {
    throw new Error("spruce formula is not built yet");
  });
}

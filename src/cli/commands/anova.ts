import type { Command } from "commander";

// Placeholder: replaced by the issue that builds `spruce anova`.
export function registerAnova(program: Command): void {
  program.command("anova").description("(not built yet)").action(() => {
    throw new Error("spruce anova is not built yet");
  });
}

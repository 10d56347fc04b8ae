import type { Command } from "commander";

// Placeholder: replaced by the issue that builds `spruce boot`.
export function registerBoot(program: Command): void {
  program.command("boot").description("(not built yet)").action(() => {
    throw new Error("spruce boot is not built yet");
  });
}

import type { Command } from "commander";

// Placeholder: replaced by the issue that builds `spruce demo`.
export function registerDemo(program: Command): void {
  program.command("demo").description("(not built yet)").action(() => {
    throw new Error("spruce demo is not built yet");
  });
}

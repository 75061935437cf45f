/** Arguments several commands share, so `--help` reads the same everywhere. */
export const configArg = {
  type: "string",
  description: "Path to platform.yaml",
  default: "platform.yaml",
  valueHint: "file",
} as const;

/**
 * Preloaded (`node --import`) where /usr/bin/time is missing: writes the process's peak resident
 * set size in KiB to $SLIPWAY_BENCH_RSS_FILE when it exits.
 */
import { writeFileSync } from "node:fs";

const file = process.env.SLIPWAY_BENCH_RSS_FILE;
if (file !== undefined) {
  process.on("exit", () => writeFileSync(file, `${process.resourceUsage().maxRSS}\n`));
}

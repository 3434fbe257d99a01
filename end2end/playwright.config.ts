// Playwright against a real Gantry build, in Debian's Chromium (never Playwright's own
// browser download). `cargo xtask test` builds everything and sets the GANTRY_*
// variables; run by hand, the defaults expect `cargo xtask build` to have run.
import { defineConfig } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const addr = process.env.GANTRY_ADDR ?? "127.0.0.1:3100";
const bin = process.env.GANTRY_BIN ?? resolve(__dirname, "../target/debug/gantry");
process.env.GANTRY_SITE_ROOT ??= resolve(__dirname, "../target/site");
process.env.GANTRY_DATA_DIR ??= mkdtempSync(join(tmpdir(), "gantry-e2e-"));

export default defineConfig({
  testDir: "./tests",
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  reporter: [["list"]],
  timeout: 30_000,
  use: {
    baseURL: `http://${addr}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: `"${bin}" serve --addr ${addr}`,
    url: `http://${addr}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
  },
});

// Playwright against a real Gantry build, in Debian's Chromium (never Playwright's own
// browser download). `cargo xtask test` builds everything and sets the GANTRY_*
// variables; run by hand, the defaults expect `cargo xtask build` to have run.
//
// Two test model servers (`model-server.mjs`) answer Chat; Gantry servers run the same
// build with the test modules: one where every request is an administrator's, one
// where it is a plain user's (development users), one with real accounts, where one
// signs in, and the same on PostgreSQL (`GANTRY_POSTGRES_URL`) as two instances on one
// database behind a round-robin proxy (`round-robin-proxy.mjs`).
import { defineConfig } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  adminPassword,
  adminURL,
  flakyModelsControlPort,
  flakyModelsPort,
  modelsControlPort,
  modelsPort,
  modelsURL,
  postgresAURL,
  postgresBURL,
  postgresURL,
  signInURL,
  userURL,
} from "./tests/servers";

const bin = process.env.GANTRY_BIN ?? resolve(__dirname, "../target/debug/gantry");
const dataDir = process.env.GANTRY_DATA_DIR ?? mkdtempSync(join(tmpdir(), "gantry-e2e-"));

/** A test model server on `port`, taken down and up through `control`. */
function modelServer(port: number, control: number) {
  return {
    command: `node "${resolve(__dirname, "model-server.mjs")}" ${port} ${control}`,
    url: `http://127.0.0.1:${control}/health`,
    reuseExistingServer: false,
    timeout: 20_000,
    stdout: "pipe" as const,
    stderr: "pipe" as const,
  };
}

/** Instances that share a database share the key their secrets are sealed with. */
const sharedSecretKey = "5a".repeat(32);

function server(url: string, user: "admin" | "user" | "accounts" | "postgres" | "postgres-b") {
  const postgres = user === "postgres" || user === "postgres-b";
  return {
    command: `"${bin}" serve --addr ${new URL(url).host}`,
    url: `${url}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe" as const,
    stderr: "pipe" as const,
    env: {
      GANTRY_SITE_ROOT: process.env.GANTRY_SITE_ROOT ?? resolve(__dirname, "../target/site"),
      GANTRY_DATA_DIR: join(dataDir, user),
      // `cargo xtask test` assembles these with the built Leptos module `counter`.
      GANTRY_MODULES_DIR: process.env.GANTRY_MODULES_DIR ?? resolve(__dirname, "fixtures/modules"),
      // `accounts`: no development user; sign in as `admin` with the password below.
      ...(user === "accounts" || postgres
        ? { GANTRY_ADMIN_PASSWORD: adminPassword }
        : { GANTRY_DEV_USER: user }),
      // `postgres`, `postgres-b`: the database is PostgreSQL, not the SQLite file in the
      // data dir, and the same for both.
      ...(postgres
        ? { DATABASE_URL: process.env.GANTRY_POSTGRES_URL ?? "", GANTRY_SECRET_KEY: sharedSecretKey }
        : {}),
      // Dev mode: the `broken` module's bundle comes from a URL that answers 404.
      GANTRY_MODULE_BROKEN_DEV: "/modules/broken/static/missing.js",
      // Chat's connection `default`: the test model server below.
      GANTRY_LLM_URL: modelsURL,
      // The Overlord's worker goes round every second, not every 30.
      GANTRY_OVERLORD_INTERVAL_SECS: "1",
    },
  };
}

export default defineConfig({
  testDir: "./tests",
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  reporter: [["list"]],
  timeout: 45_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL: adminURL,
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
  webServer: [
    modelServer(modelsPort, modelsControlPort),
    modelServer(flakyModelsPort, flakyModelsControlPort),
    server(adminURL, "admin"),
    server(userURL, "user"),
    server(signInURL, "accounts"),
    // `cargo xtask test` starts a throwaway PostgreSQL and sets this.
    ...(process.env.GANTRY_POSTGRES_URL
      ? [
          server(postgresAURL, "postgres"),
          server(postgresBURL, "postgres-b"),
          {
            command: `node "${resolve(__dirname, "round-robin-proxy.mjs")}" ${new URL(postgresURL).port} ${postgresAURL} ${postgresBURL}`,
            url: `${postgresURL}/__proxy/health`,
            reuseExistingServer: false,
            timeout: 20_000,
            stdout: "pipe" as const,
            stderr: "pipe" as const,
          },
        ]
      : []),
  ],
});

// `cargo xtask bench`: how soon an open page follows a module's changes, in Chromium,
// against `gantry dev` of the release build. Prints figures; asserts nothing.
//  - a saved bundle in the module's folder → the remounted component in the page;
//  - an administrator's disable (and enable) → the module's page in a second open
//    browser saying it is off (and showing it again);
//  - with the xtask binary: a saved change to a Leptos frontend's crate (the
//    counter fixture) → rebuilt WASM → the remounted component.
// Usage: node dev-loop.mjs <gantry binary> <runs> [<xtask binary>]
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { chromium } from "@playwright/test";

const [bin, runsArg, xtask] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const manifest = `name = "sketch"\ndisplay_name = "Sketch"\nversion = "0.1.0"\nfrontend_bundle = "index.js"\n
[[nav_items]]\nid = "sketch"\nlabel = "Sketch"\nroute = "/sketch"\nfrontend_component = "Pad"\n`;
const bundle = (said) => `window.__GANTRY_MODULES__ ??= {};
window.__GANTRY_MODULES__.sketch = { abi: 1, components: { Pad: (el) => { el.innerHTML = '<p id="pad">${said}</p>'; } } };\n`;

const dir = mkdtempSync(join(tmpdir(), "gantry-dev-bench-"));
const folder = join(dir, "sketch");
mkdirSync(folder);
writeFileSync(join(folder, "gantry-module.toml"), manifest);
writeFileSync(join(folder, "index.js"), bundle("start"));
const servers = [];

/** `gantry dev folder ...options` on a free port, with its own data; its URL once it listens. */
async function gantryDev(folder, data, options = []) {
  const env = { ...process.env, GANTRY_DATA_DIR: data, GANTRY_MODULES_DIR: join(data, "modules"), GANTRY_DEV_USER: "admin", RUST_LOG: "info" };
  delete env.DATABASE_URL;
  const server = spawn(bin, ["dev", folder, "--addr", "127.0.0.1:0", ...options], { env });
  servers.push(server);
  let printed = "";
  server.stdout.on("data", (chunk) => (printed += chunk));
  server.stderr.on("data", (chunk) => (printed += chunk));
  const started = Date.now();
  while (!/listening on http:\/\/127\.0\.0\.1:\d+/.test(printed)) {
    if (Date.now() - started > 120_000) throw new Error(`gantry dev did not start:\n${printed}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return printed.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)[1];
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

/** Resolves with the `Date.now()` at which `selector` shows `text` in `page` (no polling). */
function whenShown(page, selector, text) {
  return page.evaluate(([selector, text]) => new Promise((resolve) => {
    const shown = () => document.querySelector(selector)?.textContent?.includes(text);
    if (shown()) return resolve(Date.now());
    new MutationObserver((_, observer) => {
      if (shown()) {
        observer.disconnect();
        resolve(Date.now());
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  }), [selector, text]);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const line = (what, xs) => console.log(`${what.padEnd(58)} median ${String(median(xs)).padStart(5)} ms  (${xs.join(", ")})`);

/** A new browser page at `url`, hydrated, once `selector` is there. */
async function open(url, selector) {
  const page = await (await browser.newContext()).newPage();
  await page.goto(url);
  await page.waitForSelector("html[data-hydrated]");
  await page.waitForSelector(selector, { timeout: 120_000 });
  return page;
}

try {
  const base = await gantryDev(folder, join(dir, "data"));
  const page = await open(`${base}/sketch`, "#pad");
  const saves = [];
  for (let i = 0; i < runs; i++) {
    const shown = whenShown(page, "#pad", `save ${i}`);
    const saved = Date.now();
    writeFileSync(join(folder, "index.js"), bundle(`save ${i}`));
    saves.push((await shown) - saved);
  }
  line("gantry dev: saved bundle → remounted component", saves);

  const other = await open(`${base}/sketch`, "#pad");
  const [off, on] = [[], []];
  const turn = (enabled) => fetch(`${base}/api/admin/modules/sketch`, {
    method: "PATCH",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ enabled }),
  });
  for (let i = 0; i < runs; i++) {
    let shown = whenShown(other, '[data-state="module-off"]', "not available");
    let asked = Date.now();
    if (!(await turn(false)).ok) throw new Error("disable refused");
    off.push((await shown) - asked);
    shown = whenShown(other, "#pad", "save");
    asked = Date.now();
    if (!(await turn(true)).ok) throw new Error("enable refused");
    on.push((await shown) - asked);
  }
  line("disable → a second open browser shows the module off", off);
  line("enable → a second open browser shows the module again", on);

  if (xtask) {
    // The counter fixture's crate, copied, with `cargo xtask dev`'s build (xtask/src/dev.rs).
    const crate = join(dir, "counter");
    cpSync(resolve("fixtures/leptos-counter"), crate, { recursive: true, filter: (p) => !/[/\\](target|static)$/.test(p) });
    const manifest = join(crate, "Cargo.toml");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace('path = "../../../gantry-sdk"', `path = "${resolve("../gantry-sdk")}"`));
    const module = join(crate, "module");
    const build = `'${xtask}' frontend '${crate}' '${join(module, "static/pkg")}'`;
    const leptos = await gantryDev(module, join(dir, "leptos-data"), ["--dev-build", build, "--dev-watch", crate]);
    const counter = await open(`${leptos}/counter`, '[data-testid="counter-user"]');
    const source = join(crate, "src/lib.rs");
    const original = readFileSync(source, "utf8");
    const rebuilds = [];
    for (let i = 0; i < Math.min(runs, 3); i++) {
      const shown = whenShown(counter, ".counter p", `from Leptos ${i}.`);
      const saved = Date.now();
      writeFileSync(source, original.replace('", from Leptos."', `", from Leptos ${i}."`));
      rebuilds.push((await shown) - saved);
    }
    line("gantry dev: saved Leptos crate → rebuilt, remounted (debug)", rebuilds);
  }
} finally {
  await browser.close();
  for (const server of servers) server.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}

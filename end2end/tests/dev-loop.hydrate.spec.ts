// `gantry dev FOLDER`: a saved change to the module under development remounts its
// open component without a page reload; a broken save shows why in place (and in
// the terminal), and the next good save recovers. A Leptos frontend is built first.
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { expect, test } from "@playwright/test";

import { gotoHydrated } from "./helpers";

const manifest = `name = "sketch"
display_name = "Sketch"
version = "0.1.0"
frontend_bundle = "index.js"

[[nav_items]]
id = "sketch"
label = "Sketch"
route = "/sketch"
frontend_component = "Pad"
`;

const bundle = (said: string) => `window.__GANTRY_MODULES__ ??= {};
window.__GANTRY_MODULES__.sketch = {
  abi: 1,
  components: { Pad: (element) => { element.innerHTML = '<p data-testid="pad">${said}</p>'; } },
};
`;

/** Starts `gantry dev folder` on a free port as a development administrator; its
 * URL once it listens (within `startMs`: a frontend is built before it listens),
 * and everything it has printed so far (kept up to date). */
async function gantryDev(folder: string, dataDir: string, options: string[] = [], startMs = 30_000) {
  const bin = process.env.GANTRY_BIN ?? resolve(__dirname, "../../target/debug/gantry");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GANTRY_DATA_DIR: dataDir,
    GANTRY_MODULES_DIR: join(dataDir, "modules"),
    GANTRY_DEV_USER: "admin",
    RUST_LOG: "info",
  };
  delete env.DATABASE_URL;
  const child = spawn(bin, ["dev", folder, "--addr", "127.0.0.1:0", ...options], { env });
  const printed = { text: "" };
  child.stdout.on("data", (chunk) => (printed.text += chunk));
  child.stderr.on("data", (chunk) => (printed.text += chunk));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`gantry dev did not start:\n${printed.text}`)), startMs);
    const look = () => {
      const found = printed.text.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (found) {
        clearTimeout(timer);
        resolveUrl(found[1]);
      }
    };
    child.stdout.on("data", look);
    child.on("exit", (code) => reject(new Error(`gantry dev exited (${code}):\n${printed.text}`)));
  });
  return { child, url, printed };
}

test("gantry dev: each save remounts the open component in place, and a broken save says why", async ({ page }) => {
  test.setTimeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), "gantry-dev-"));
  const folder = join(dir, "sketch");
  mkdirSync(folder);
  // Broken when the page loads: the page does not know the module yet.
  writeFileSync(join(folder, "gantry-module.toml"), 'name = "sketch"\nversion = ');
  writeFileSync(join(folder, "index.js"), bundle("first"));
  let child: ChildProcess | undefined;
  try {
    const dev = await gantryDev(folder, join(dir, "data"));
    child = dev.child;
    const errors = await gotoHydrated(page, `${dev.url}/sketch`);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    writeFileSync(join(folder, "gantry-module.toml"), manifest);
    const pad = page.getByTestId("pad");
    await expect(pad).toHaveText("first");
    // Set on this page: a reload would lose it.
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

    writeFileSync(join(folder, "index.js"), bundle("second"));
    await expect(pad).toHaveText("second");

    writeFileSync(join(folder, "gantry-module.toml"), 'name = "sketch"\nversion = ');
    const off = page.locator('[data-state="module-off"]');
    await expect(off.locator("[data-problem]")).toContainText("gantry-module.toml");
    await expect.poll(() => dev.printed.text).toContain("cannot read gantry-module.toml");

    writeFileSync(join(folder, "index.js"), bundle("third"));
    writeFileSync(join(folder, "gantry-module.toml"), manifest);
    await expect(pad).toHaveText("third");
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    expect(errors).toEqual([]);
  } finally {
    child?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
});

test("gantry dev with a Leptos frontend: a saved change to the crate is built, then remounts the open component", async ({
  page,
}) => {
  // Compiles the counter crate to WASM three times (once failing).
  test.setTimeout(420_000);
  const xtask = process.env.GANTRY_XTASK;
  expect(xtask, "GANTRY_XTASK: the xtask binary (`cargo xtask test` sets it)").toBeTruthy();
  const dir = mkdtempSync(join(tmpdir(), "gantry-dev-leptos-"));
  const crate = join(dir, "counter");
  const fixture = resolve(__dirname, "../fixtures/leptos-counter");
  cpSync(fixture, crate, {
    recursive: true,
    filter: (path) => !/[/\\](target|static)$/.test(path),
  });
  const manifest = join(crate, "Cargo.toml");
  const sdk = resolve(__dirname, "../../gantry-sdk");
  writeFileSync(manifest, readFileSync(manifest, "utf8").replace('path = "../../../gantry-sdk"', `path = "${sdk}"`));
  const source = join(crate, "src/lib.rs");
  const original = readFileSync(source, "utf8");
  const folder = join(crate, "module");
  // What `cargo xtask dev` gives `gantry dev` for this layout (xtask/src/dev.rs).
  const build = `'${xtask}' frontend '${crate}' '${join(folder, "static/pkg")}'`;
  let child: ChildProcess | undefined;
  let printed = { text: "" };
  try {
    const dev = await gantryDev(folder, join(dir, "data"), ["--dev-build", build, "--dev-watch", crate], 180_000);
    printed = dev.printed;
    child = dev.child;
    const errors = await gotoHydrated(page, `${dev.url}/counter`);
    const greeting = page.locator(".counter p").first();
    await expect(greeting).toHaveText("Hi Admin (development), from Leptos.", { timeout: 150_000 });
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

    // A compile error: the module stops with the compiler's words, in place.
    writeFileSync(source, original.replace("let count = RwSignal::new(0);", "let count = RwSignal::new(0)"));
    const off = page.locator('[data-state="module-off"]');
    await expect(off.locator("[data-problem]")).toContainText("its frontend did not build", { timeout: 120_000 });
    await expect(off.locator("[data-problem]")).toContainText("error: expected `;`");
    await expect.poll(() => dev.printed.text).toContain("did not build");

    // Mended and changed: built, and the open page remounts the new component.
    writeFileSync(source, original.replace('", from Leptos."', '", from Leptos, rebuilt."'));
    await expect(greeting).toHaveText("Hi Admin (development), from Leptos, rebuilt.", { timeout: 150_000 });
    await page.getByTestId("increment").click();
    await expect(page.getByTestId("count")).toHaveText("1");
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    expect(errors).toEqual([]);
  } catch (failure) {
    await test.info().attach("gantry dev's output", { body: printed.text });
    throw failure;
  } finally {
    child?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
});

// `gantry dev FOLDER`: a saved change to the module under development remounts its
// open component without a page reload; a broken save shows why in place (and in
// the terminal), and the next good save recovers.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
 * URL once it listens, and everything it has printed so far (kept up to date). */
async function gantryDev(folder: string, dataDir: string) {
  const bin = process.env.GANTRY_BIN ?? resolve(__dirname, "../../target/debug/gantry");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GANTRY_DATA_DIR: dataDir,
    GANTRY_MODULES_DIR: join(dataDir, "modules"),
    GANTRY_DEV_USER: "admin",
    RUST_LOG: "info",
  };
  delete env.DATABASE_URL;
  const child = spawn(bin, ["dev", folder, "--addr", "127.0.0.1:0"], { env });
  const printed = { text: "" };
  child.stdout.on("data", (chunk) => (printed.text += chunk));
  child.stderr.on("data", (chunk) => (printed.text += chunk));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`gantry dev did not start:\n${printed.text}`)), 30_000);
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
  writeFileSync(join(folder, "gantry-module.toml"), manifest);
  writeFileSync(join(folder, "index.js"), bundle("first"));
  let child: ChildProcess | undefined;
  try {
    const dev = await gantryDev(folder, join(dir, "data"));
    child = dev.child;
    const errors = await gotoHydrated(page, `${dev.url}/sketch`);
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

// `cargo xtask bench`: time from clicking a module's nav item to its component's
// first render, in Chromium, against a running release build. Prints figures;
// asserts nothing. Usage: node nav-timing.mjs <base URL> <runs>
import { chromium } from "@playwright/test";

const [base, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const modules = [
  { label: "Hello", component: "Greeting", kind: "plain JS" },
  { label: "Counter", component: "Counter", kind: "Leptos WASM" },
  // A compiled-in module's page: its first tab (Ecosystem) loads its projects.
  { label: "Overlord", component: "EcosystemDashboard", kind: "Leptos WASM, compiled-in" },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

async function clickToRender(page, { label, component }) {
  await page.goto(`${base}/`);
  await page.waitForSelector("html[data-hydrated]");
  const link = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label });
  const started = Date.now();
  await link.click();
  await page.waitForSelector(`[data-component="${component}"][data-state="mounted"]`);
  return Date.now() - started;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const module of modules) {
  const cold = [];
  const warm = [];
  for (let i = 0; i < runs; i++) {
    // A fresh context has an empty HTTP cache: the bundle is fetched.
    const context = await browser.newContext();
    cold.push(await clickToRender(await context.newPage(), module));
    // The same context again, on a new page: the hash-pinned bundle comes from cache.
    warm.push(await clickToRender(await context.newPage(), module));
    await context.close();
  }
  console.log(
    `${module.label.padEnd(8)} (${module.kind}): click → first render, median of ${runs}: ` +
      `cold cache ${median(cold)} ms [${cold.join(", ")}], warm cache ${median(warm)} ms [${warm.join(", ")}]`,
  );
}
await browser.close();

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

/**
 * Clicks `label` in the sidebar; returns [as the harness sees it, as the page sees it]
 * in ms. The page's own figure runs from the click event to the mutation that marks
 * the component mounted (`performance.now()`, no polling); the harness's adds
 * Playwright's click (actionability checks, input dispatch) and its wait.
 */
async function clickToRender(page, { label, component }) {
  await page.goto(`${base}/`);
  await page.waitForSelector("html[data-hydrated]");
  const selector = `[data-component="${component}"][data-state="mounted"]`;
  await page.evaluate((selector) => {
    const times = (window.__navTiming = {});
    document.addEventListener("click", () => (times.click = performance.now()), { capture: true, once: true });
    new MutationObserver((_, observer) => {
      if (document.querySelector(selector)) {
        times.render = performance.now();
        observer.disconnect();
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"] });
  }, selector);
  const link = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label });
  const started = Date.now();
  await link.click();
  await page.waitForSelector(selector);
  const harness = Date.now() - started;
  const inPage = await page.evaluate(() => Math.round(window.__navTiming.render - window.__navTiming.click));
  return [harness, inPage];
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
  const inPage = (xs) => xs.map(([, page]) => page);
  const harness = (xs) => xs.map(([seen]) => seen);
  const overhead = median(harness(warm).map((seen, i) => seen - inPage(warm)[i]));
  console.log(
    `${module.label.padEnd(8)} (${module.kind}): click → first render in the page, median of ${runs}: ` +
      `cold cache ${median(inPage(cold))} ms [${inPage(cold).join(", ")}], ` +
      `warm cache ${median(inPage(warm))} ms [${inPage(warm).join(", ")}]; ` +
      `through the harness warm ${median(harness(warm))} ms (its overhead ${overhead} ms)`,
  );
}
await browser.close();

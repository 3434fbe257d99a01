// Module pages in the browser: bundles loaded into the registry, components mounted
// and unmounted, failures shown where they happen, the EventBus.
import { expect, test, type Page } from "@playwright/test";
import { gotoHydrated } from "./helpers";

const component = (page: Page, name: string) => page.locator(`[data-component="${name}"]`);
/** Counts the requests for the hello module's bundle. */
function countBundleRequests(page: Page) {
  const seen = { n: 0 };
  page.on("request", (request) => {
    if (request.url().includes("/api/modules/hello/bundle.js")) seen.n += 1;
  });
  return seen;
}

const counts = (page: Page) =>
  page.evaluate(() => (window as any).__helloCounts as { mounts: number; unmounts: number });

test("a tab URL loads directly, then mounts its component", async ({ page }) => {
  const bundle = countBundleRequests(page);
  const errors = await gotoHydrated(page, "/hello/greeting");
  await expect(component(page, "Greeting")).toHaveAttribute("data-state", "mounted");
  await expect(page.getByTestId("user")).toHaveText("Admin (development)");
  expect(bundle.n).toBe(1);
  expect(errors).toEqual([]);
});

test("pages that need no module fetch no bundle", async ({ page }) => {
  const bundle = countBundleRequests(page);
  await gotoHydrated(page, "/settings");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Chat" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Chat");
  expect(bundle.n).toBe(0);
});

test("the module nav item opens the first tab, client-side", async ({ page }) => {
  await gotoHydrated(page, "/");
  await page.evaluate(() => ((window as any).__sameDocument = true));
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Hello" }).click();
  await expect(page).toHaveURL(/\/hello$/);
  await expect(component(page, "Greeting")).toHaveAttribute("data-state", "mounted");
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});

test("switching tabs changes the URL, unmounts the old tab, and history works", async ({ page }) => {
  const bundle = countBundleRequests(page);
  await gotoHydrated(page, "/hello/greeting");
  await expect(component(page, "Greeting")).toHaveAttribute("data-state", "mounted");
  const tabs = page.getByRole("navigation", { name: "Hello tabs" });

  await tabs.getByRole("link", { name: "Events" }).click();
  await expect(page).toHaveURL(/\/hello\/events$/);
  await expect(component(page, "Events")).toHaveAttribute("data-state", "mounted");
  await expect(component(page, "Greeting")).toHaveCount(0);
  expect(await counts(page)).toEqual({ mounts: 2, unmounts: 1 });
  await expect(tabs.getByRole("link", { name: "Events" })).toHaveAttribute("aria-current", "page");

  await page.goBack();
  await expect(page).toHaveURL(/\/hello\/greeting$/);
  await expect(component(page, "Greeting")).toHaveAttribute("data-state", "mounted");
  expect(await counts(page)).toEqual({ mounts: 3, unmounts: 2 });

  await page.goForward();
  await expect(component(page, "Events")).toHaveAttribute("data-state", "mounted");
  // The bundle was fetched once for the page's life.
  expect(bundle.n).toBe(1);
});

test("a component that throws shows its error in its tab only", async ({ page }) => {
  await gotoHydrated(page, "/hello/crash");
  const crash = component(page, "Crash");
  await expect(crash).toHaveAttribute("data-state", "threw");
  await expect(crash.getByRole("alert")).toContainText("the Crash tab fails on purpose");
  await expect(crash.getByRole("alert")).toContainText("hello");
  // The host and the other tabs keep working.
  await page.getByRole("link", { name: "Greeting" }).click();
  await expect(component(page, "Greeting")).toHaveAttribute("data-state", "mounted");
});

test("a component missing from the registry names what the bundle registered", async ({ page }) => {
  await gotoHydrated(page, "/hello/missing");
  const missing = component(page, "Missing");
  await expect(missing).toHaveAttribute("data-state", "component-missing");
  await expect(missing).toContainText("has no component Missing");
  await expect(missing).toContainText("It registered: Greeting, Events, Crash, Board");
});

test("a bundle that fails to load shows its URL, the reason and a retry", async ({ page }) => {
  await gotoHydrated(page, "/broken");
  const main = component(page, "Main");
  await expect(main).toHaveAttribute("data-state", "bundle-failed");
  await expect(main).toContainText("/modules/broken/static/missing.js");
  await expect(main).toContainText("HTTP 404");
  await main.getByRole("button", { name: "Retry" }).click();
  await expect(main).toHaveAttribute("data-state", "bundle-failed");
  // Another module still works.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Hello" }).click();
  await expect(component(page, "Greeting")).toHaveAttribute("data-state", "mounted");
});

test("a bundle built for another contract version is refused clearly", async ({ page }) => {
  await gotoHydrated(page, "/old-abi");
  const main = component(page, "Main");
  await expect(main).toHaveAttribute("data-state", "incompatible");
  await expect(main).toContainText("was built for browser contract 99; this Gantry speaks version 1");
});

test("toast and confirm round-trip through the EventBus", async ({ page }) => {
  const errors = await gotoHydrated(page, "/hello/events");
  await expect(component(page, "Events")).toHaveAttribute("data-state", "mounted");

  await page.getByTestId("toast").click();
  const toast = page.locator(".toast");
  await expect(toast).toContainText("Hello from the hello module");
  await expect(toast).toHaveAttribute("data-kind", "success");
  await toast.getByRole("button", { name: "Dismiss" }).click();
  await expect(toast).toHaveCount(0);

  await page.getByTestId("confirm").click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toContainText("Really do it?");
  await expect(dialog.getByRole("button", { name: "Do it" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Do it" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId("answer")).toHaveText("cancelled");

  await page.getByTestId("confirm").click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Do it" }).click();
  await expect(page.getByTestId("answer")).toHaveText("confirmed");
  expect(errors).toEqual([]);
});

test("a failed ctx.api call is a toast in the user's words, or only an error in place when the module asks", async ({ page }) => {
  const logged: string[] = [];
  page.on("console", (m) => { if (m.type() === "error") logged.push(m.text()); });
  const errors = await gotoHydrated(page, "/hello/events");
  await expect(component(page, "Events")).toHaveAttribute("data-state", "mounted");

  await page.getByTestId("fetch-missing").click();
  const toast = page.locator(".toast");
  await expect(toast).toContainText("Not found: it may have been deleted or moved.");
  await expect(toast).toHaveAttribute("data-kind", "error");
  await expect(page.getByTestId("answer")).toHaveText("failed in place: 404 not_found");
  // The server's own words are for the developer, in the console.
  expect(logged.some((line) => line.includes("GET /api/modules/hello/nothing-here: 404 not_found"))).toBe(true);
  await toast.getByRole("button", { name: "Dismiss" }).click();
  await expect(toast).toHaveCount(0);

  await page.getByTestId("answer").evaluate((p) => (p.textContent = "waiting"));
  await page.getByTestId("fetch-quietly").click();
  await expect(page.getByTestId("answer")).toHaveText("failed in place: 404 not_found");
  await expect(toast).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("a theme change reaches a mounted module", async ({ page }) => {
  await gotoHydrated(page, "/hello/greeting");
  await expect(component(page, "Greeting")).toHaveAttribute("data-state", "mounted");
  const shown = page.getByTestId("theme");
  const before = await shown.textContent();
  expect(["light", "dark"]).toContain(before);
  await page.getByTestId("theme-switch").click();
  await expect(shown).toHaveText(before === "dark" ? "light" : "dark");
});

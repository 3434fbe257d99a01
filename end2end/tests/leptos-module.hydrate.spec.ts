// A module whose frontend is Leptos compiled to its own WASM, registered through
// gantry_sdk::leptos::register: the same contract as a plain-JS module.
import { expect, test } from "@playwright/test";
import { gotoHydrated } from "./helpers";

test("a Leptos module mounts, reacts, and uses the EventBus", async ({ page }) => {
  const errors = await gotoHydrated(page, "/counter");
  const counter = page.locator('[data-component="Counter"]');
  await expect(counter).toHaveAttribute("data-state", "mounted", { timeout: 20_000 });
  await expect(page.getByTestId("counter-user")).toHaveText("Admin (development)");

  await page.getByTestId("increment").click();
  await page.getByTestId("increment").click();
  await expect(page.getByTestId("count")).toHaveText("2");

  await page.getByTestId("counter-toast").click();
  await expect(page.locator(".toast")).toContainText("Counted to 2");

  await page.getByTestId("counter-reset").click();
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toContainText("Reset the counter?");
  await dialog.getByRole("button", { name: "Reset" }).click();
  await expect(page.getByTestId("counter-answer")).toHaveText("reset");
  await expect(page.getByTestId("count")).toHaveText("0");

  // The host's theme reaches the module's own reactive graph.
  const theme = page.getByTestId("counter-theme");
  const before = await theme.textContent();
  await page.getByTestId("theme-switch").click();
  await expect(theme).toHaveText(before === "dark" ? "light" : "dark");

  // Leaving unmounts it; coming back mounts a fresh one.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Hello" }).click();
  await expect(counter).toHaveCount(0);
  await page.goBack();
  await expect(counter).toHaveAttribute("data-state", "mounted");
  await expect(page.getByTestId("count")).toHaveText("0");
  expect(errors).toEqual([]);
});

// Leptos reuses a module page's mount element for the next module page: a module
// whose bundle arrives after its page was left must not write into the next one.
test("a module still loading when its page is left never writes into the next module's page", async ({ page }) => {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/modules/hello/bundle.js*", async (route) => {
    await held;
    await route.continue();
  });
  const errors = await gotoHydrated(page, "/counter");
  const counter = page.locator('[data-component="Counter"]');
  await expect(counter).toHaveAttribute("data-state", "mounted", { timeout: 20_000 });
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Hello" }).click();
  await expect(page).toHaveURL(/\/hello/);
  await page.goBack();
  await expect(counter).toHaveAttribute("data-state", "mounted");
  await expect(page.getByTestId("count")).toBeVisible();

  // Hello's bundle arrives now, for a page that is gone.
  const arrived = page.waitForResponse(/\/api\/modules\/hello\/bundle\.js/);
  release();
  await arrived;
  await page.waitForTimeout(300);
  await expect(page.getByTestId("count")).toBeVisible();
  await expect(page.locator("main")).not.toContainText("Hello, Admin");
  expect(errors).toEqual([]);
});

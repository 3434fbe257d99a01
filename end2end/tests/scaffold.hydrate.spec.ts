// The module `gantry module new scaffolded --js` wrote (cargo xtask test runs the
// scaffolder and `gantry module check` on it): discovered, and its tab renders and
// works, for a plain user.
import { expect, test } from "@playwright/test";
import { gotoHydrated } from "./helpers";
import { userURL } from "./servers";

test("a scaffolded module's tab renders and adds an item", async ({ page }) => {
  const errors = await gotoHydrated(page, `${userURL}/scaffolded`);
  await expect(page.getByText("Hello User (development), from Scaffolded.")).toBeVisible();
  const title = `item ${Date.now() % 100000}`;
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Notes").fill("written in the browser");
  await page.getByRole("button", { name: "Add" }).click();
  await expect(page.locator(".toast").filter({ hasText: `Added “${title}”.` })).toBeVisible();
  await expect(page.locator(`[data-item="${title}"]`)).toHaveText(`${title}: written in the browser`);
  expect(errors).toEqual([]);
});

test("a scaffolded Leptos module, compiled in, renders its tab and adds an item", async ({ page }) => {
  const errors = await gotoHydrated(page, `${userURL}/shelf`);
  const title = `shelf item ${Date.now() % 100000}`;
  await expect(page.locator('[data-component="Items"]')).toHaveAttribute("data-state", "mounted", { timeout: 20_000 });
  await page.getByLabel("Title").fill(title);
  await page.getByRole("button", { name: "Add" }).click();
  await expect(page.locator(`[data-item="${title}"]`)).toHaveText(title);
  expect(errors).toEqual([]);
});

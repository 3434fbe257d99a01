// What only works once the WASM bundle has hydrated the page.
import { expect, test } from "@playwright/test";
import { gotoHydrated } from "./helpers";

test("clicking Settings navigates without a full page load", async ({ page }) => {
  const errors = await gotoHydrated(page, "/");
  // A full load would lose this marker; client-side routing keeps the document.
  await page.evaluate(() => ((window as any).__sameDocument = true));
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Settings");
  await expect(page.getByRole("link", { name: "Settings" })).toHaveAttribute("aria-current", "page");
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  await expect(page).toHaveTitle("Settings · Gantry");
  expect(errors).toEqual([]);
});

test("the theme switch changes the theme and remembers it", async ({ page }) => {
  const errors = await gotoHydrated(page, "/settings");
  const html = page.locator("html");
  const theme = page.getByTestId("theme-switch");
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

  await expect(theme).toContainText("System");
  await theme.click();
  await expect(html).toHaveAttribute("data-theme", /^(light|dark)$/);
  const first = await html.getAttribute("data-theme");
  await expect(theme).toContainText(first === "dark" ? "Dark" : "Light");
  const firstBackground = await background();

  await theme.click();
  const second = first === "dark" ? "light" : "dark";
  await expect(html).toHaveAttribute("data-theme", second);
  await expect(theme).toContainText(second === "dark" ? "Dark" : "Light");
  expect(await background()).not.toBe(firstBackground);

  // The choice is a cookie, so the server renders it on the next load.
  await page.reload();
  await expect(html).toHaveAttribute("data-theme", second);
  expect(errors).toEqual([]);
});

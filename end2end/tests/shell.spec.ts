// The shell as the server renders it, before any script runs.
import { expect, test } from "@playwright/test";

test("the shell renders Chat, Settings and Admin in order", async ({ page }) => {
  await page.goto("/");
  const labels = page.getByRole("navigation", { name: "Main" }).getByRole("link");
  await expect(labels).toHaveText(["Chat", "Settings", "Admin"]);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Chat");
  await expect(page).toHaveTitle("Chat · Gantry");
});

test("an unknown path is a 404 page, over HTTP too", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  // The sidebar is still there to leave by.
  await expect(
    page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Chat" }),
  ).toBeVisible();
});

test("the stylesheet and its design tokens load", async ({ page }) => {
  await page.goto("/");
  const accent = await page.evaluate(() =>
    getComputedStyle(document.documentElement).getPropertyValue("--gantry-color-accent").trim(),
  );
  expect(accent).not.toBe("");
});

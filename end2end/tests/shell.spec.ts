// The shell as the server renders it, before any script runs.
import { expect, test } from "@playwright/test";
import { sidebarLinks } from "./helpers";
import { userURL } from "./servers";

test("the sidebar merges core and module entries by order", async ({ page }) => {
  await page.goto("/");
  await expect(sidebarLinks(page)).toHaveText([
    "Chat",
    "Knowledge",
    "Forge",
    "Hello",
    "Counter",
    "Switchable",
    "Broken",
    "Overlord",
    "Scaffolded",
    "Shelf",
    "Bookmarks",
    "Old ABI",
    "Settings",
    "Vault",
    "Admin",
  ]);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Chat");
  await expect(page).toHaveTitle("Chat · Gantry");
});

test("admin-only entries are not shown to other users, and refused", async ({ page }) => {
  await page.goto(`${userURL}/`);
  await expect(sidebarLinks(page)).toHaveText([
    "Chat",
    "Knowledge",
    "Forge",
    "Hello",
    "Counter",
    "Switchable",
    "Broken",
    "Scaffolded",
    "Shelf",
    "Bookmarks",
    "Old ABI",
    "Settings",
  ]);
  const admin = await page.goto(`${userURL}/admin`);
  expect(admin?.status()).toBe(403);
  const vault = await page.goto(`${userURL}/vault`);
  expect(vault?.status()).toBe(404);
  const secretTab = await page.goto(`${userURL}/hello/secret`);
  expect(secretTab?.status()).toBe(404);
  const api = await page.request.get(`${userURL}/api/modules/vault/bundle.js`);
  expect(api.status()).toBe(403);
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

test("a module tab's page is rendered on the server", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const response = await page.goto("/hello/events");
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Hello");
  await expect(page.getByRole("navigation", { name: "Hello tabs" }).getByRole("link")).toHaveText([
    "Greeting",
    "Events",
    "Crash",
    "Missing",
    "Secret",
  ]);
  await expect(page.locator('[data-component="Events"]')).toHaveAttribute("data-state", "loading");
  await expect(page).toHaveTitle("Events · Hello · Gantry");
  await context.close();
});

test("the stylesheet and its design tokens load", async ({ page }) => {
  await page.goto("/");
  const accent = await page.evaluate(() =>
    getComputedStyle(document.documentElement).getPropertyValue("--gantry-color-accent").trim(),
  );
  expect(accent).not.toBe("");
});

// Module tabs inside the host's Admin and Settings pages.
import { expect, test, type Page } from "@playwright/test";
import { gotoHydrated } from "./helpers";
import { userURL } from "./servers";

const tabs = (page: Page, name: string) =>
  page.getByRole("navigation", { name: `${name} tabs` }).getByRole("link");

test("Admin's tabs merge the host's and the modules' by order, each at its own URL", async ({ page }) => {
  const errors = await gotoHydrated(page, "/admin/modules");
  await expect(tabs(page, "Admin")).toHaveText([
    "Users",
    "Models",
    "Personas",
    "Knowledge",
    "Modules",
    "Insights insights",
    "Audit",
    "Hello board hello",
    "Logs",
    "System",
    "Atom Overlord overlord",
    "Switchable switchable",
  ]);
  await expect(tabs(page, "Admin").nth(5)).toHaveAttribute("href", "/admin/insights/dashboard");
  await expect(tabs(page, "Admin").nth(7)).toHaveAttribute("href", "/admin/hello/dashboard");
  // The host's module list, with every module's state; the rest under Details.
  await expect(page.locator('tr[data-module="hello"]')).toContainText("running");
  const overlord = page.locator('tr[data-module="overlord"]');
  const details = page.locator('tr[data-details-of="overlord"]');
  await expect(details).toBeHidden();
  await overlord.getByRole("button", { name: "Details" }).click();
  await expect(overlord.getByRole("button", { name: "Details" })).toHaveAttribute("aria-expanded", "true");
  await expect(details.locator("[data-migrations]")).toContainText("applied");
  await expect(details.locator("[data-pages] [data-icon]")).toHaveCount(5);
  await expect(details.locator('[data-pages] [data-icon="globe"]')).toHaveCount(1);

  await tabs(page, "Admin").nth(5).click();
  await expect(page).toHaveURL(/\/admin\/insights\/dashboard$/);
  await expect(page.getByTestId("insights-dashboard")).toHaveText("Insights for Admin (development)");
  await tabs(page, "Admin").nth(7).click();
  await expect(page).toHaveURL(/\/admin\/hello\/dashboard$/);
  await expect(page.getByTestId("hello-board")).toBeVisible();
  await expect(page.getByTestId("insights-dashboard")).toHaveCount(0);
  await page.goBack();
  await expect(page.getByTestId("insights-dashboard")).toBeVisible();
  await tabs(page, "Admin").getByText("System").click();
  await expect(page.locator(".facts")).toContainText("sqlite");
  await expect(page.locator('[data-fact="vector-search"]')).toContainText("sqlite-vec");
  expect(errors).toEqual([]);
});

test("a deep link to a module's admin tab renders and mounts it", async ({ page }) => {
  await gotoHydrated(page, "/admin/hello/dashboard");
  await expect(page.getByTestId("hello-board")).toBeVisible();
  await expect(tabs(page, "Admin").nth(7)).toHaveAttribute("aria-current", "page");
});

test("a module's settings tab works for a normal user; its admin tab is refused", async ({ page }) => {
  await gotoHydrated(page, `${userURL}/settings`);
  await expect(tabs(page, "Settings")).toHaveText(["Profile", "Personas", "Appearance", "API tokens", "Insights insights", "Switchable switchable"]);
  // A development user has no account to edit.
  await expect(page.locator(".empty-state")).toContainText("development user");
  await tabs(page, "Settings").nth(4).click();
  await expect(page).toHaveURL(/\/settings\/insights\/prefs$/);
  await expect(page.getByTestId("insights-prefs")).toHaveText("Insights preferences of User (development)");
  const admin = await page.goto(`${userURL}/admin/insights/dashboard`);
  expect(admin?.status()).toBe(403);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Administrators only");
  // A way on: back to Chat, or another account.
  await expect(page.getByRole("button", { name: "Sign in as someone else" })).toBeVisible();
  await page.getByRole("link", { name: "Back to Chat" }).click();
  await expect(page).toHaveURL(`${userURL}/`);
});

test("a module's settings tab keeps the user's choice across reloads (context.storage)", async ({ page }) => {
  await gotoHydrated(page, `${userURL}/settings/insights/prefs`);
  const state = page.locator('[data-state="pref"]');
  await expect(state).toHaveText("Loaded");
  const box = page.getByLabel("Weekly digest");
  const before = await box.isChecked();
  await box.setChecked(!before);
  await expect(state).toHaveText("Saved");
  await page.reload();
  await expect(state).toHaveText("Loaded");
  await expect(box).toBeChecked({ checked: !before });
});

test("a tab of a module that is not there says so", async ({ page }) => {
  const response = await page.goto("/admin/ghost/dashboard");
  expect(response?.status()).toBe(404);
  await expect(page.locator('[data-state="module-unavailable"]')).toContainText("Module ghost is not available");
});

test("the Appearance tab sets the theme", async ({ page }) => {
  await gotoHydrated(page, "/settings/appearance");
  await page.getByRole("button", { name: "Dark", exact: true }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(page.getByRole("button", { name: "Dark", exact: true })).toHaveAttribute("aria-pressed", "true");
  await page.getByRole("button", { name: "Light", exact: true }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
});

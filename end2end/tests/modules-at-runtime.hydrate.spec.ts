import { expect, test } from "@playwright/test";
import { resolve } from "node:path";
import { adminPage, gotoHydrated, sidebarLinks } from "./helpers";

// These tests change modules on the server with real accounts (`switchable`, and an
// installed `lantern`), one after the other.
test.describe.configure({ mode: "serial" });

// An administrator turns a module off in Admin → Modules: a page already open on the
// module follows without a reload (its sidebar link goes, its page says so), and
// comes back when the module is enabled again. On the server with real accounts, so
// the other servers' sidebars (which other tests list whole) never change.
test("disabling a module removes it from an open page without a reload, enabling brings it back", async ({
  browser,
}) => {
  const open = await adminPage(browser);
  const context = open.context();
  const errors = await gotoHydrated(open, "/switchable");
  await expect(open.getByTestId("lamp")).toHaveText("The lamp is on.");
  await expect(sidebarLinks(open).filter({ hasText: "Switchable" })).toHaveCount(1);

  const admin = await context.newPage();
  await gotoHydrated(admin, "/admin/modules");
  const row = admin.locator('tr[data-module="switchable"]');
  await expect(row).toHaveAttribute("data-state", "running");
  await row.getByRole("button", { name: "Disable" }).click();
  await expect(admin.getByRole("alertdialog")).toContainText("Disable Switchable?");
  await admin.getByRole("alertdialog").getByRole("button", { name: "Disable" }).click();
  await expect(row).toHaveAttribute("data-state", "disabled");
  await expect(admin.locator(".toast").filter({ hasText: "Switchable is disabled." })).toBeVisible();

  // The open page was told: no link, and the page says the module is off. (A hidden
  // page closes its stream and catches up when shown, so it is brought to the front.)
  await open.bringToFront();
  await expect(sidebarLinks(open).filter({ hasText: "Switchable" })).toHaveCount(0);
  await expect(open.locator('[data-state="module-off"]')).toContainText("Switchable is not available any more");
  const api = await open.request.get("/api/modules/switchable/bundle.js");
  expect(api.status()).toBe(503);
  expect((await api.json()).error.code).toBe("module_disabled");

  await row.getByRole("button", { name: "Enable" }).click();
  await admin.getByRole("alertdialog").getByRole("button", { name: "Enable" }).click();
  await expect(row).toHaveAttribute("data-state", "running");
  await open.bringToFront();
  await expect(sidebarLinks(open).filter({ hasText: "Switchable" })).toHaveCount(1);
  await expect(open.getByTestId("lamp")).toHaveText("The lamp is on.");
  expect(errors).toEqual([]);
  await context.close();
});

// A module's declared settings become a form the host draws: checked in the browser
// where it can, by the server always, with the secret never shown again.
test("a module's settings form checks, saves and keeps values, and never shows a secret", async ({ browser }) => {
  const page = await adminPage(browser);
  const errors = await gotoHydrated(page, "/admin/switchable/settings");
  const form = page.locator('form[data-form="module-settings"]');
  const field = (key: string) => form.locator(`[data-setting="${key}"]`);
  await expect(field("greeting").getByLabel("Greeting")).toHaveValue("hello");
  await expect(field("volume").getByLabel("Volume")).toHaveValue("5");
  await expect(field("api_key").getByLabel("API key")).toHaveAttribute("placeholder", "not set");
  await expect(field("nickname")).toHaveCount(0);

  // Out of range: said next to the field by the browser.
  await field("volume").getByLabel("Volume").fill("20");
  await form.getByRole("button", { name: "Save settings" }).click();
  await expect(field("volume").getByRole("alert")).toHaveText("Volume must be at most 11");
  // The pattern is the server's to check: its answer lands next to the field too.
  await field("volume").getByLabel("Volume").fill("7");
  await field("greeting").getByLabel("Greeting").fill("Hello!");
  await form.getByRole("button", { name: "Save settings" }).click();
  await expect(field("greeting").getByRole("alert")).toContainText("must match");
  await expect(field("volume").getByRole("alert")).toHaveCount(0);

  await field("greeting").getByLabel("Greeting").fill("good day");
  await field("api_key").getByLabel("API key").fill("sk-e2e-never-shown");
  await form.getByRole("button", { name: "Save settings" }).click();
  await expect(page.locator(".toast").filter({ hasText: "Settings saved." })).toBeVisible();
  await expect(field("api_key").getByLabel("API key")).toHaveValue("");
  await expect(field("api_key").getByLabel("API key")).toHaveAttribute("placeholder", /^set/);

  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true", { timeout: 20_000 });
  await expect(field("greeting").getByLabel("Greeting")).toHaveValue("good day");
  await expect(field("volume").getByLabel("Volume")).toHaveValue("7");
  await expect(field("api_key").getByLabel("API key")).toHaveValue("");
  expect(await page.content()).not.toContain("sk-e2e-never-shown");

  // Each user's own settings live under Settings.
  await gotoHydrated(page, "/settings/switchable/settings");
  await expect(field("greeting")).toHaveCount(0);
  await field("nickname").getByLabel("Nickname").fill("the admin");
  await form.getByRole("button", { name: "Save settings" }).click();
  await expect(page.locator(".toast").filter({ hasText: "Settings saved." })).toBeVisible();
  await page.reload();
  await expect(field("nickname").getByLabel("Nickname")).toHaveValue("the admin");

  // The module's component reads the saved values from its context, secrets never.
  await gotoHydrated(page, "/switchable");
  await expect(page.getByTestId("lamp-greeting")).toHaveText("good day, the admin (volume 7)");
  expect(await page.content()).not.toContain("sk-e2e-never-shown");
  expect(errors).toEqual([]);
  await page.context().close();
});

// An administrator installs a module from an archive: it is checked, started, and
// appears on the page without a reload; removing it takes it away again.
test("a module installed from an archive appears at once, and goes when removed", async ({ browser }) => {
  const page = await adminPage(browser);
  const errors = await gotoHydrated(page, "/admin/modules");
  const form = page.locator('form[data-form="install-module"]');
  // Not an archive: refused in place, nothing installed.
  await form.locator('input[type="file"]').setInputFiles({
    name: "notes.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("not a module"),
  });
  await form.getByRole("button", { name: "Install", exact: true }).click();
  await expect(form.getByRole("alert")).toContainText("neither a .zip nor a .tar.gz");

  await form
    .locator('input[type="file"]')
    .setInputFiles(resolve(__dirname, "../fixtures/archives/lantern.zip"));
  await form.getByRole("button", { name: "Install", exact: true }).click();
  await expect(page.locator(".toast").filter({ hasText: "Lantern is installed and running." })).toBeVisible();
  const row = page.locator('tr[data-module="lantern"]');
  await expect(row).toHaveAttribute("data-state", "running");
  // The sidebar of this very page has it, without a reload.
  await expect(sidebarLinks(page).filter({ hasText: "Lantern" })).toHaveCount(1);
  await sidebarLinks(page).filter({ hasText: "Lantern" }).click();
  await expect(page.getByTestId("glow")).toHaveText("The lantern glows.");

  await gotoHydrated(page, "/admin/modules");
  await row.getByRole("button", { name: "Remove" }).click();
  await expect(page.getByRole("alertdialog")).toContainText("Remove Lantern?");
  await page.getByRole("alertdialog").getByRole("button", { name: "Remove" }).click();
  await expect(page.locator(".toast").filter({ hasText: "Lantern is removed." })).toBeVisible();
  await expect(row).toHaveCount(0);
  await expect(sidebarLinks(page).filter({ hasText: "Lantern" })).toHaveCount(0);
  expect(errors).toEqual([]);
  await page.context().close();
});

import { expect, test } from "@playwright/test";
import { gotoHydrated, sidebarLinks } from "./helpers";

// An administrator turns a module off in Admin → Modules: a page already open on the
// module follows without a reload (its sidebar link goes, its page says so), and
// comes back when the module is enabled again.
test("disabling a module removes it from an open page without a reload, enabling brings it back", async ({
  browser,
}) => {
  const context = await browser.newContext();
  const open = await context.newPage();
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

  // The open page was told: no link, and the page says the module is off.
  await expect(sidebarLinks(open).filter({ hasText: "Switchable" })).toHaveCount(0);
  await expect(open.locator('[data-state="module-off"]')).toContainText("Switchable is not available any more");
  const api = await open.request.get("/api/modules/switchable/bundle.js");
  expect(api.status()).toBe(503);
  expect((await api.json()).error.code).toBe("module_disabled");

  await row.getByRole("button", { name: "Enable" }).click();
  await admin.getByRole("alertdialog").getByRole("button", { name: "Enable" }).click();
  await expect(row).toHaveAttribute("data-state", "running");
  await expect(sidebarLinks(open).filter({ hasText: "Switchable" })).toHaveCount(1);
  await expect(open.getByTestId("lamp")).toHaveText("The lamp is on.");
  expect(errors).toEqual([]);
  await context.close();
});

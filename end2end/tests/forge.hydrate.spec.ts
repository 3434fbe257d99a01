// Forge Templates, the in-tree drop-in in plain JavaScript: users browse and fill in
// templates; administrators edit them. Its data is a host-served collection.
import { expect, test, type Page } from "@playwright/test";
import { gotoHydrated } from "./helpers";
import { userURL } from "./servers";

const tabs = (page: Page) => page.getByRole("navigation", { name: "Forge Templates tabs" }).getByRole("link");

test("a user browses a template and fills in its placeholders", async ({ page }) => {
  const errors = await gotoHydrated(page, `${userURL}/forge`);
  await expect(tabs(page)).toHaveText(["Browse"]);
  const search = page.getByLabel("Search");
  await search.fill("release announcement");
  await page.locator('[data-template="Release note"]').click();
  const open = page.locator('[data-open="Release note"]');
  await open.getByLabel("product").fill("Gantry");
  await open.getByLabel("version").fill("0.2");
  await expect(open.locator("[data-output]")).toContainText("## Gantry 0.2");
  await expect(open.locator("[data-output]")).toContainText("{{summary}}");
  await search.fill("nothing like this exists");
  await expect(page.getByText("No template matches.")).toBeVisible();
  // The editor is for administrators: refused by the server too.
  const refused = await page.request.post(`${userURL}/api/modules/forge/collections/templates`, {
    data: { name: "x", body: "y" },
    headers: { origin: userURL },
  });
  expect(refused.status()).toBe(403);
  expect(errors).toEqual([]);
});

test("an administrator creates, uses and deletes a template", async ({ page }) => {
  const name = `Greeting ${Date.now() % 100000}`;
  await gotoHydrated(page, "/forge/editor");
  await expect(tabs(page)).toHaveText(["Browse", "Editor"]);
  const form = page.locator('form[data-form="template"]');
  // A required field left blank is refused by the host, and the form keeps the rest.
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Language").fill("text");
  await form.getByLabel("Body").fill("   ");
  await form.getByRole("button", { name: "Create template" }).click();
  await expect(page.locator(".toast").filter({ hasText: "`body` is required" })).toBeVisible();
  await expect(form.getByLabel("Name")).toHaveValue(name);
  await form.getByLabel("Body").fill("Hello {{who}}, welcome to {{team}}!");
  await form.getByRole("button", { name: "Create template" }).click();
  const row = page.locator(`tr[data-template="${name}"]`);
  await expect(row).toContainText("who, team");

  await tabs(page).getByText("Browse").click();
  await page.locator(`[data-template="${name}"]`).click();
  const open = page.locator(`[data-open="${name}"]`);
  await open.getByLabel("who").fill("Ada");
  await open.getByLabel("team").fill("Ops");
  await expect(open.locator("[data-output]")).toHaveText("Hello Ada, welcome to Ops!");

  await tabs(page).getByText("Editor").click();
  await page.locator(`tr[data-template="${name}"]`).getByRole("button", { name: "Delete" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click();
  await expect(page.locator(`tr[data-template="${name}"]`)).toHaveCount(0);
});

// Forms say what is missing before sending (required fields are marked and checked by
// the browser), and what the server refuses appears under the field it names.
import { expect, test, type Page } from "@playwright/test";
import { gotoHydrated } from "./helpers";

/** Counts the requests of `method` to URLs containing `path` from now on. */
function countRequests(page: Page, method: string, path: string): () => number {
  let count = 0;
  page.on("request", (req) => {
    if (req.method() === method && req.url().includes(path)) count++;
  });
  return () => count;
}

/** The star a required field's label ends with. */
const labelMark = (page: Page, form: string, name: string) =>
  page
    .locator(`form[data-form="${form}"] label.field:has([name="${name}"]) > span`)
    .first()
    .evaluate((span) => getComputedStyle(span, "::after").content);

test("Admin → Models: an empty form is not sent; a refused name and URL show under their fields", async ({ page }) => {
  const errors = await gotoHydrated(page, "/admin/models");
  const form = page.locator('form[data-form="new-connection"]');
  const posts = countRequests(page, "POST", "/api/admin/llm/connections");
  expect(await labelMark(page, "new-connection", "name")).toContain("*");
  expect(await labelMark(page, "new-connection", "api_key")).toBe("none");

  await form.getByRole("button", { name: "Add" }).click();
  expect(await form.locator('[name="name"]').evaluate((el: HTMLInputElement) => el.validity.valueMissing)).toBe(true);
  expect(posts()).toBe(0);

  // A name in use: the server's answer sits under Name, and Name is marked invalid.
  await form.locator('[name="name"]').fill("default");
  await form.locator('[name="base_url"]').fill("http://127.0.0.1:9/v1");
  await form.getByRole("button", { name: "Add" }).click();
  const nameField = form.locator('label.field:has([name="name"])');
  await expect(nameField.getByRole("alert")).toContainText("default");
  await expect(form.locator('[name="name"]')).toHaveAttribute("aria-invalid", "true");
  expect(posts()).toBe(1);

  // A URL the browser accepts but the server does not: under Base URL, and Name is
  // no longer marked.
  await form.locator('[name="name"]').fill(`ftp-${Date.now() % 100000}`);
  await form.locator('[name="base_url"]').fill("ftp://127.0.0.1/v1");
  await form.getByRole("button", { name: "Add" }).click();
  await expect(form.locator('label.field:has([name="base_url"])').getByRole("alert")).toContainText("http");
  await expect(nameField.getByRole("alert")).toHaveCount(0);
  await expect(form.locator('[name="name"]')).not.toHaveAttribute("aria-invalid", "true");
  expect(errors).toEqual([]);
});

test("the Overlord's project form: an empty name is not sent; a taken name shows under Name", async ({ page }) => {
  const name = `taken-${Date.now() % 100000}`;
  const made = await page.request.post("/api/modules/overlord/projects", {
    data: { name, location: "", health_url: null, dispatch_url: null },
  });
  expect(made.ok()).toBe(true);
  const errors = await gotoHydrated(page, "/overlord");
  const form = page.locator('form[data-form="project"]');
  const posts = countRequests(page, "POST", "/api/modules/overlord/projects");
  expect(await labelMark(page, "project", "name")).toContain("*");

  await form.getByRole("button", { name: "Add project" }).click();
  expect(await form.getByLabel("Name").evaluate((el: HTMLInputElement) => el.validity.valueMissing)).toBe(true);
  // A URL without a scheme is caught by the browser too.
  await form.getByLabel("Name").fill(`${name}-2`);
  await form.getByLabel("Health URL").fill("not a url");
  await form.getByRole("button", { name: "Add project" }).click();
  expect(await form.getByLabel("Health URL").evaluate((el: HTMLInputElement) => el.validity.typeMismatch)).toBe(true);
  expect(posts()).toBe(0);

  await form.getByLabel("Health URL").fill("");
  await form.getByLabel("Name").fill(name);
  await form.getByRole("button", { name: "Add project" }).click();
  await expect(form.locator('label.field:has([name="name"])').getByRole("alert")).toContainText("exists already");
  await expect(form.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
  expect(posts()).toBe(1);
  expect(errors).toEqual([]);
});

// The guide's worked example (docs/modules.md §14.1), as written there: a drop-in
// on a collection with owned items and a per-user preference in module storage.
import { expect, test } from "@playwright/test";
import { gotoHydrated } from "./helpers";

test("the guide's bookmarks module adds, refuses in place, remembers its order and deletes", async ({ page }) => {
  const errors = await gotoHydrated(page, "/bookmarks");
  const form = page.locator("form.card");
  const stamp = Date.now() % 100000;
  for (const n of [1, 2]) {
    await form.getByLabel("Title").fill(`Docs ${stamp}-${n}`);
    await form.getByLabel("URL").fill(`https://example.com/${stamp}/${n}`);
    await form.getByRole("button", { name: "Add bookmark" }).click();
    await expect(page.locator(".toast").filter({ hasText: "Bookmark added" }).first()).toBeVisible();
    await expect(page.getByRole("link", { name: `Docs ${stamp}-${n}` })).toBeVisible();
  }

  // A URL the collection refuses is shown under the form, not as a toast; the form keeps it.
  await form.getByLabel("Title").fill("Not the web");
  await form.getByLabel("URL").fill("ftp://files.example/x");
  await form.getByRole("button", { name: "Add bookmark" }).click();
  await expect(form.getByRole("alert")).toContainText("url: collection `items`: `url` must be an http:// or https:// address");
  await expect(page.locator(".toast", { hasText: "Not saved" })).toHaveCount(0);
  await expect(form.getByLabel("URL")).toHaveValue("ftp://files.example/x");

  // Newest first, then the user's choice of oldest first, kept across a reload.
  const titles = page.locator(".bookmarks-list a", { hasText: `Docs ${stamp}-` });
  await expect(titles).toHaveText([`Docs ${stamp}-2`, `Docs ${stamp}-1`]);
  await page.getByLabel("Oldest first").check();
  await expect(titles).toHaveText([`Docs ${stamp}-1`, `Docs ${stamp}-2`]);
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true", { timeout: 20_000 });
  await expect(page.getByLabel("Oldest first")).toBeChecked();
  await expect(titles).toHaveText([`Docs ${stamp}-1`, `Docs ${stamp}-2`]);

  const row = page.locator("tr", { hasText: `Docs ${stamp}-1` });
  await row.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click();
  await expect(titles).toHaveText([`Docs ${stamp}-2`]);
  expect(errors).toEqual([]);
});

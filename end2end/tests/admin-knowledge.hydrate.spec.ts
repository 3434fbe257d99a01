// Admin → Knowledge: an administrator picks an embedding model, the passages are
// embedded in the background, and search ranks by words and meaning; choosing none
// goes back to words alone. On the server with real accounts, so the other servers'
// Knowledge tests never see the model change.
import { expect, test, type Page } from "@playwright/test";
import { adminPage, gotoHydrated } from "./helpers";

async function search(page: Page, words: string) {
  await page.getByRole("searchbox", { name: "Search the documents" }).fill(words);
  await page.getByRole("searchbox", { name: "Search the documents" }).press("Enter");
}

test("an embedding model chosen in Admin → Knowledge makes search hybrid, and none makes it words alone", async ({
  browser,
}) => {
  const page = await adminPage(browser);
  const id = `${Date.now() % 1_000_000}`;
  const word = `dirigible${id}`;

  // A collection with one document, ready.
  let errors = await gotoHydrated(page, "/knowledge");
  const form = page.locator('form[data-form="new-collection"]');
  await form.getByLabel("Name").fill(`Vectors ${id}`);
  await form.getByRole("button", { name: "Create" }).click();
  await expect(page).toHaveURL(/\/knowledge\/[^/]+$/);
  await page.getByLabel("Files to upload").setInputFiles({
    name: "airships.md",
    mimeType: "text/markdown",
    buffer: Buffer.from(`# Airships\n\nThe ${word} crossed the bay at noon.\n`),
  });
  await expect(page.locator('tr[data-document="airships.md"]')).toHaveAttribute("data-status", "ready", {
    timeout: 30_000,
  });
  await search(page, word);
  await expect(page.locator('[data-list="passages"] > li').first()).toHaveAttribute("data-document", "airships.md");
  await expect(page.getByText("Ranked by the words they share with the search.")).toBeVisible();
  expect(errors).toEqual([]);

  // The tab: no model yet, how vectors are compared, then the test server's `embed`.
  errors = await gotoHydrated(page, "/admin/knowledge");
  const settings = page.locator('form[data-form="knowledge-settings"]');
  await expect(settings.locator('[data-state="embedding"]')).toContainText("No embedding model");
  await expect(settings).toContainText("sqlite-vec");
  await settings.getByLabel("Embedding model").selectOption("default/embed");
  await settings.getByRole("button", { name: "Save" }).click();
  await expect(page.locator(".toast").filter({ hasText: "embedded with default/embed" })).toBeVisible();
  // The passages are embedded in the background: asked again until all are.
  await expect(async () => {
    const again = settings.getByRole("button", { name: "Check again" });
    if (await again.isVisible()) {
      await again.click();
    }
    await expect(settings.locator('[data-state="embedding"]')).toContainText(/All \d+ passages are embedded with default\/embed/, {
      timeout: 1_000,
    });
  }).toPass({ timeout: 30_000 });
  await expect(settings.getByLabel("Embedding model")).toHaveValue("default/embed");

  await gotoHydrated(page, "/knowledge");
  await search(page, word);
  await expect(page.locator('[data-list="passages"] > li').first()).toHaveAttribute("data-document", "airships.md");
  await expect(page.getByText("Ranked by words and by meaning.")).toBeVisible();

  // None again: words alone.
  await gotoHydrated(page, "/admin/knowledge");
  await settings.getByLabel("Embedding model").selectOption("");
  await settings.getByRole("button", { name: "Save" }).click();
  await expect(settings.locator('[data-state="embedding"]')).toContainText("No embedding model");
  await gotoHydrated(page, "/knowledge");
  await search(page, word);
  await expect(page.getByText("Ranked by the words they share with the search.")).toBeVisible();
  expect(errors).toEqual([]);
});

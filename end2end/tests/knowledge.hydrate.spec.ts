// The Knowledge page in the browser: collections made, renamed and deleted, several
// files uploaded through the file input and followed until they are ready (the list
// polls), refusals and duplicates reported, downloads, search, a passage opened in
// its document, and a phone-width screen. Names carry a stamp: the servers are
// shared by every spec.
import { expect, test, type Page } from "@playwright/test";
import { gotoHydrated } from "./helpers";

const stamp = () => `${Date.now() % 1_000_000}${Math.floor(Math.random() * 1000)}`;
const row = (page: Page, filename: string) => page.locator(`tr[data-document="${filename}"]`);
const collectionRow = (page: Page, name: string) => page.locator(`li[data-collection="${name}"]`);

/** Creates collection `name` from the form below the list; it opens. */
async function createCollection(page: Page, name: string, shared = false) {
  const form = page.locator('form[data-form="new-collection"]');
  await form.getByLabel("Name").fill(name);
  if (shared) {
    await form.getByLabel(/^Shared/).check();
  }
  await form.getByRole("button", { name: "Create" }).click();
  await expect(page).toHaveURL(/\/knowledge\/[^/]+$/);
  await expect(page.locator(".kb-title")).toContainText(name);
  await expect(collectionRow(page, name).getByRole("link")).toHaveAttribute("aria-current", "page");
}

/** Sends `files` through the file input. */
async function upload(page: Page, files: { name: string; mimeType: string; text?: string; bytes?: Buffer }[]) {
  await page.getByLabel("Files to upload").setInputFiles(
    files.map(({ name, mimeType, text, bytes }) => ({
      name,
      mimeType,
      buffer: bytes ?? Buffer.from(text ?? ""),
    })),
  );
}

const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);

test("uploads become ready, refusals and duplicates are reported, search finds the words, a document is deleted", async ({ page }) => {
  const errors = await gotoHydrated(page, "/knowledge");
  const id = stamp();
  const name = `Handbook ${id}`;
  const word = `zeppelin${id}`;
  await createCollection(page, name);
  await expect(page.locator('[data-state="no-documents"]')).toBeVisible();

  // Two files at once: both are taken in, processed in the background, and the
  // list follows them to Ready without a reload.
  await upload(page, [
    { name: "airships.md", mimeType: "text/markdown", text: `# Airships\n\nThe ${word} floated over the harbour at dawn.\n` },
    { name: "notes.txt", mimeType: "text/plain", text: "Plain notes about lighthouses and their keepers.\n" },
  ]);
  await expect(page.locator('[data-state="uploaded"]')).toContainText("Added 2 documents");
  for (const filename of ["airships.md", "notes.txt"]) {
    await expect(row(page, filename)).toHaveAttribute("data-status", "ready", { timeout: 30_000 });
    await expect(row(page, filename).locator('[data-badge="status"]')).toContainText("Ready");
  }
  await expect(row(page, "airships.md")).toContainText("Markdown");
  await expect(row(page, "notes.txt")).toContainText("Text");
  await expect(collectionRow(page, name)).toContainText("2 documents");

  // A file that is not a document beside one the collection has already.
  await upload(page, [
    { name: "x.png", mimeType: "image/png", bytes: png },
    { name: "airships.md", mimeType: "text/markdown", text: `# Airships\n\nThe ${word} floated over the harbour at dawn.\n` },
  ]);
  const outcome = page.locator('[data-state="uploaded"]');
  await expect(outcome.locator('[data-list="rejected"] li[data-file="x.png"]')).toContainText("not a supported type");
  await expect(outcome.locator('[data-list="duplicates"] li[data-file="airships.md"]')).toContainText(
    "already in this collection",
  );
  // Nothing usable at all: the server's reason, in place.
  await upload(page, [{ name: "x.png", mimeType: "image/png", bytes: png }]);
  await expect(page.locator('[data-state="upload-refused"]')).toContainText("x.png");
  await expect(page.locator('[data-state="upload-refused"]')).toContainText("not a supported type");

  // The name is a download of the original.
  const download = page.waitForEvent("download");
  await row(page, "notes.txt").getByRole("link", { name: "notes.txt" }).click();
  expect((await download).suggestedFilename()).toBe("notes.txt");

  // Search: the passage with the word, its document named, the word marked.
  await page.getByRole("searchbox", { name: "Search the documents" }).fill(word);
  await page.getByRole("searchbox", { name: "Search the documents" }).press("Enter");
  const hits = page.locator('[data-list="passages"] > li');
  await expect(hits.first()).toHaveAttribute("data-document", "airships.md");
  await expect(hits.first().locator("mark")).toHaveText(word);
  await expect(hits.first()).toContainText("Airships");

  // Delete one document, after the confirm dialog.
  await row(page, "notes.txt").getByRole("button", { name: "Delete notes.txt" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click();
  await expect(row(page, "notes.txt")).toHaveCount(0);
  await expect(row(page, "airships.md")).toBeVisible();
  await expect(collectionRow(page, name)).toContainText("1 document");

  // A phone-width screen: one column, no sideways scrolling.
  await page.setViewportSize({ width: 390, height: 800 });
  await expect(row(page, "airships.md")).toBeVisible();
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
  expect(errors).toEqual([]);
});

test("collections are renamed and deleted with the keyboard, and an administrator shares one", async ({ page }) => {
  const errors = await gotoHydrated(page, "/knowledge");
  const id = stamp();
  await createCollection(page, `Drafts ${id}`);

  // Rename: the button opens the form with the name focused; Enter keeps it.
  await collectionRow(page, `Drafts ${id}`).getByRole("button", { name: `Rename Drafts ${id}` }).press("Enter");
  const rename = page.locator('form[data-form="rename-collection"]');
  await expect(rename.getByLabel("Name")).toBeFocused();
  await rename.getByLabel("Name").fill(`Final ${id}`);
  await rename.getByLabel("Description").fill("The finished ones");
  await rename.getByLabel("Description").press("Enter");
  await expect(collectionRow(page, `Final ${id}`)).toBeVisible();
  await expect(collectionRow(page, `Drafts ${id}`)).toHaveCount(0);
  await expect(page.locator(".kb-title")).toContainText(`Final ${id}`);
  await expect(page.locator(".kb-description")).toHaveText("The finished ones");
  // Escape leaves the form without a change.
  await collectionRow(page, `Final ${id}`).getByRole("button", { name: `Rename Final ${id}` }).press("Enter");
  await rename.getByLabel("Name").fill("Never kept");
  await rename.getByLabel("Name").press("Escape");
  await expect(rename).toHaveCount(0);
  await expect(collectionRow(page, `Final ${id}`)).toBeVisible();

  // An empty name is refused in place with the server's words (the form's own
  // check set aside).
  await collectionRow(page, `Final ${id}`).getByRole("button", { name: `Rename Final ${id}` }).click();
  await rename.getByLabel("Name").fill("   ");
  await rename.getByRole("button", { name: "Save" }).click();
  await expect(rename.getByRole("alert")).toContainText("`name` must be 1 to 100 characters");
  await rename.getByRole("button", { name: "Cancel" }).click();

  // A shared collection is marked as such.
  await createCollection(page, `Everyone ${id}`, true);
  await expect(collectionRow(page, `Everyone ${id}`).locator('[data-badge="shared"]')).toHaveText("shared");

  // Delete, confirmed with the keyboard: the dialog's Delete has the focus.
  await collectionRow(page, `Final ${id}`).getByRole("button", { name: `Delete Final ${id}` }).focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toContainText(`Delete the collection “Final ${id}”?`);
  await expect(dialog.getByRole("button", { name: "Delete" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(collectionRow(page, `Final ${id}`)).toHaveCount(0);

  // Deleting the open collection leads back to `/knowledge` (and tidies up the
  // shared one, which every spec on this server would see).
  await collectionRow(page, `Everyone ${id}`).getByRole("button", { name: `Delete Everyone ${id}` }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click();
  await expect(collectionRow(page, `Everyone ${id}`)).toHaveCount(0);
  await expect(page).toHaveURL(/\/knowledge$/);
  expect(errors).toEqual([]);
});

test("a passage found by search opens in its document, marked", async ({ page }) => {
  const errors = await gotoHydrated(page, "/knowledge");
  const id = stamp();
  const word = `lighthouse${id}`;
  await createCollection(page, `Coast ${id}`);
  const text = `# Keepers\n\nThe keepers lived by the sea.\n\n## Lamps\n\nThe ${word} lamp was lit at dusk.\n`;
  await upload(page, [{ name: "coast.md", mimeType: "text/markdown", text }]);
  await expect(row(page, "coast.md")).toHaveAttribute("data-status", "ready", { timeout: 30_000 });
  await page.getByRole("searchbox", { name: "Search the documents" }).fill(word);
  await page.getByRole("button", { name: "Search" }).click();
  const hit = page.locator('[data-list="passages"] > li').first();
  await expect(hit).toContainText("Lamps");
  await hit.getByRole("link", { name: "coast.md" }).click();
  await expect(page).toHaveURL(/\/knowledge\/documents\/[^/#]+#passage-\d+$/);
  const cited = page.locator(".kb-passage-cited");
  await expect(cited).toHaveCount(1);
  await expect(cited).toContainText(word);
  // The collection stays marked open; the way back leads to it.
  await expect(collectionRow(page, `Coast ${id}`).getByRole("link")).toHaveAttribute("aria-current", "page");
  await page.getByRole("link", { name: "← Back to the collection" }).click();
  await expect(row(page, "coast.md")).toBeVisible();
  expect(errors).toEqual([]);
});

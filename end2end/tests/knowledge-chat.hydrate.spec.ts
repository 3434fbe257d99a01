// Chat grounded in the Knowledge Vault, in the browser: a collection picked in the
// thread header before the first message, an answer listing its sources, and a
// citation that opens the document at the passage.
import { expect, test } from "@playwright/test";
import { gotoHydrated } from "./helpers";
import { adminURL } from "./servers";

test("an answer grounded in a collection cites it, and the citation opens the passage", async ({ page }) => {
  const headers = { origin: adminURL };
  const name = `Appliances ${Date.now() % 100000}`;
  const created = await page.request.post(`${adminURL}/api/knowledge/collections`, { headers, data: { name } });
  expect(created.status()).toBe(201);
  const collection = (await created.json()).id;
  const uploaded = await page.request.post(`${adminURL}/api/knowledge/documents`, {
    headers,
    multipart: {
      collection_id: collection,
      file: {
        name: "kettle.md",
        mimeType: "text/markdown",
        buffer: Buffer.from(`# Kettle\n\n## Descaling\n\nUse citric acid monthly (${name}).\n`),
      },
    },
  });
  expect(uploaded.status()).toBe(201);
  const doc = (await uploaded.json()).documents[0].id;
  await expect
    .poll(async () => (await (await page.request.get(`${adminURL}/api/knowledge/documents/${doc}`)).json()).status)
    .toBe("ready");

  await gotoHydrated(page, "/");
  await page.getByRole("combobox", { name: "Model" }).selectOption("default/echo");
  const picker = page.locator("[data-knowledge-picker]");
  await picker.locator(":scope > summary").click();
  await picker.getByRole("checkbox", { name: new RegExp(name) }).check();
  await expect(picker.locator("[data-knowledge-count]")).toHaveText("1");
  await picker.locator(":scope > summary").click();
  const composer = page.getByRole("textbox", { name: "Message" });
  await composer.fill("How is the kettle descaled, citric acid? [1]");
  await composer.press("Enter");
  await expect(page).toHaveURL(/\/c\/[0-9a-f]+$/);
  const answer = page.locator('article[data-role="assistant"]').last();
  await expect(answer).toHaveAttribute("data-status", "complete");
  await expect(answer.locator(".message-sources summary")).toHaveText("Sources (1)");
  // The choice was kept with the conversation.
  await expect(picker.locator("[data-knowledge-count]")).toHaveText("1");

  await answer.locator(".citation a").first().click();
  await expect(page).toHaveURL(new RegExp(`/knowledge/documents/${doc}#passage-0$`));
  await expect(page.locator("#passage-0")).toContainText("Use citric acid monthly");
});

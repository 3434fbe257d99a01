// Chat in the browser, against the test model servers (`end2end/model-server.mjs`):
// streaming, Stop, Regenerate, a model server that is down and comes back, answers
// with HTML shown as text, search, deep links, the Admin → Models tab and a phone
// width.
import { expect, test, type Page } from "@playwright/test";
import { gotoHydrated } from "./helpers";
import { adminURL, flakyModelsControlURL, flakyModelsURL } from "./servers";

const composer = (page: Page) => page.getByRole("textbox", { name: "Message" });
const answers = (page: Page) => page.locator('article[data-role="assistant"]');

/** Starts a conversation with `model` and sends `text`. */
async function startWith(page: Page, model: string, text: string) {
  await gotoHydrated(page, "/");
  await page.getByRole("combobox", { name: "Model" }).selectOption(model);
  await composer(page).fill(text);
  await composer(page).press("Enter");
  await expect(page).toHaveURL(/\/c\/[0-9a-f]+$/);
}

test("a message streams in, is kept across a reload, and titles the conversation", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  await startWith(page, "default/slow", "Stream me something");
  const live = page.locator('article[data-status="streaming"]');
  await expect(live).toContainText("word1");
  // Tokens keep arriving: the text grows while the answer is still streaming.
  await expect(live).toContainText("word10");
  await expect(page.getByRole("button", { name: "Stop" })).toBeVisible();
  const done = answers(page).last();
  await expect(done).toHaveAttribute("data-status", "complete", { timeout: 15_000 });
  await expect(done).toContainText("word39");
  await expect(page.getByRole("button", { name: "Send" })).toBeVisible();
  await expect(page.locator("[data-conversation-title]")).toHaveText("Stream me something");

  // The conversation has its own URL: a reload shows the same thread.
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true", { timeout: 20_000 });
  await expect(page.locator('article[data-role="user"]')).toContainText("Stream me something");
  await expect(answers(page)).toHaveCount(1);
  await expect(page.locator(".chat-list")).toContainText("Stream me something");
  expect(errors).toEqual([]);
});

test("Stop keeps the partial answer, marked stopped, and Regenerate replaces it", async ({ page }) => {
  await startWith(page, "default/endless", "Count forever");
  const live = page.locator('article[data-status="streaming"]');
  await expect(live).toContainText("tick3");
  await page.getByRole("button", { name: "Stop" }).click();
  const stopped = answers(page).last();
  await expect(stopped).toHaveAttribute("data-status", "stopped");
  await expect(stopped).toContainText("Stopped before the answer was complete");
  await expect(stopped).toContainText("tick3");
  // The stored answer says the same after a reload.
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true", { timeout: 20_000 });
  await expect(answers(page).last()).toHaveAttribute("data-status", "stopped");

  // Regenerate with another model: the stopped answer is replaced. The pick is saved
  // while Retry is clicked (held here until the answer is in): the answer is still
  // the picked model's.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const saving = /\/api\/chat\/conversations\/[^/]+$/;
  await page.route(saving, async (route) => {
    if (route.request().method() !== "PATCH") return route.fallback();
    await held;
    await route.continue();
  });
  await page.getByRole("combobox", { name: "Model" }).selectOption("default/echo");
  await answers(page).last().getByRole("button", { name: "Retry" }).click();
  await expect(answers(page)).toHaveCount(1);
  await expect(answers(page).last()).toHaveAttribute("data-status", "complete");
  await expect(answers(page).last()).toContainText("You said: Count forever");
  const saved = page.waitForResponse((r) => r.request().method() === "PATCH");
  release();
  expect((await saved).status()).toBe(200);
  await page.unroute(saving);
  await answers(page).last().getByRole("button", { name: "Regenerate" }).click();
  await expect(answers(page)).toHaveCount(1);
  await expect(answers(page).last()).toContainText("You said: Count forever");
});

test("a model server that is down gives a clear error, and Retry works once it is up", async ({ page }) => {
  const headers = { origin: adminURL };
  const name = `flaky${Date.now() % 100000}`;
  const created = await page.request.post(`${adminURL}/api/admin/llm/connections`, {
    headers,
    data: { name, base_url: flakyModelsURL },
  });
  expect(created.status()).toBe(201);
  await gotoHydrated(page, "/");
  await page.getByRole("combobox", { name: "Model" }).selectOption(`${name}/echo`);
  await fetch(`${flakyModelsControlURL}/down`, { method: "POST" });
  try {
    await composer(page).fill("Are you there?");
    await composer(page).press("Enter");
    const failed = answers(page).last();
    await expect(failed).toHaveAttribute("data-status", "failed");
    await expect(failed).toContainText(`cannot reach model server \`${name}\``);
    await expect(page.locator('[data-error="send"]')).toContainText(`\`${name}\``);
  } finally {
    await fetch(`${flakyModelsControlURL}/up`, { method: "POST" });
  }
  await answers(page).last().getByRole("button", { name: "Retry" }).click();
  await expect(answers(page).last()).toHaveAttribute("data-status", "complete");
  await expect(answers(page).last()).toContainText("You said: Are you there?");
  await expect(page.locator('[data-error="send"]')).toHaveCount(0);
});

test("an answer with HTML in it is shown as text, with Markdown rendered", async ({ page }) => {
  await startWith(page, "default/html", "Show me markup");
  const answer = answers(page).last();
  await expect(answer).toHaveAttribute("data-status", "complete");
  await expect(answer).toContainText("<script>window.pwned = 1</script>");
  await expect(answer.locator("strong")).toHaveText("bold");
  await expect(answer.locator("img, script")).toHaveCount(0);
  await expect(answer.locator(".code-lang")).toHaveText("js");
  await expect(answer.locator("pre code")).toContainText("console.log('<b>hi</b>');");
  expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
});

test("search (Ctrl+K) finds a conversation by its words and opens it", async ({ page }) => {
  const word = `zebra${Date.now() % 100000}`;
  await startWith(page, "default/echo", `Tell me about the ${word} crossing`);
  await expect(answers(page).last()).toHaveAttribute("data-status", "complete");
  const url = page.url();
  // The button, by its role in the page: until the list reloads, the new row is named so too.
  await page.locator('[data-action="new-conversation"]').click();
  await expect(page).toHaveURL(`${adminURL}/`);
  await page.keyboard.press("Control+k");
  await expect(page.getByRole("searchbox", { name: "Search conversations" })).toBeFocused();
  await page.keyboard.type(word);
  const hit = page.locator('[data-list="search-results"] a').first();
  await expect(hit).toContainText(word);
  await hit.click();
  await expect(page).toHaveURL(url);
  await expect(page.locator('article[data-role="user"]')).toContainText(word);
});

test("a conversation that is not there (or not yours) shows a not-found state", async ({ page }) => {
  await gotoHydrated(page, "/c/0123456789abcdef01234567");
  await expect(page.locator('[data-state="not-found"]')).toBeVisible();
  await expect(page.locator('[data-state="not-found"]')).toContainText("Conversation not found");
});

test("Admin → Models lists the connection's models, reachable, with the key write-only", async ({ page }) => {
  await gotoHydrated(page, "/admin/models");
  const card = page.locator('section[data-connection="default"]');
  await expect(card.locator("[data-reachable]")).toHaveText("reachable");
  await expect(card.locator("[data-api-key]")).toHaveText("not set");
  await expect(card.locator('tr[data-model="default/echo"]')).toBeVisible();
});

test("on a phone-width screen the conversation list folds away behind a button", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await gotoHydrated(page, "/");
  const list = page.getByRole("complementary", { name: "Conversations" });
  await expect(list).toBeHidden();
  await page.getByRole("button", { name: "Show conversations" }).click();
  await expect(list).toBeVisible();
  await expect(composer(page)).toBeVisible();
});

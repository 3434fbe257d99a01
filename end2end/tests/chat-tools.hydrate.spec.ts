// Module tools in Chat, in the browser, with the test model server's `tool` model:
// tools ticked in the thread header, a call shown collapsed with its result, and a
// tool that changes things asking first in the host's confirm dialog (declined,
// then allowed).
import { expect, test } from "@playwright/test";
import { gotoHydrated } from "./helpers";

test("the model calls the tools a conversation offers, and a confirm tool asks first", async ({ page }) => {
  const errors = await gotoHydrated(page, "/");
  await page.getByRole("combobox", { name: "Model" }).selectOption("default/tool");
  const picker = page.locator("[data-tools-picker]");
  await picker.locator(":scope > summary").click();
  await picker.locator('[data-tool="forge/search_templates"]').getByRole("checkbox").check();
  await picker.locator('[data-tool="overlord/dispatch_task"]').getByRole("checkbox").check();
  await expect(picker.locator("[data-tools-count]")).toHaveText("2");
  await expect(picker.locator('[data-tool="overlord/dispatch_task"]')).toContainText("asks first");
  await picker.locator(":scope > summary").click();

  const composer = page.getByRole("textbox", { name: "Message" });
  const answers = page.locator('article[data-role="assistant"]');
  await composer.fill('CALL forge__search_templates {"query": "no template has these words"}');
  await composer.press("Enter");
  await expect(page).toHaveURL(/\/c\/[0-9a-f]+$/);
  await expect(answers.last()).toHaveAttribute("data-status", "complete");
  const search = answers.last().locator('[data-tool-call="forge/search_templates"]');
  await expect(search).toHaveAttribute("data-status", "done");
  await search.locator("summary").click();
  await expect(search.locator("[data-tool-result]")).toContainText('"total": 0');
  await expect(answers.last().locator(".message-text")).toContainText('Tool said: {"items":[]');
  // The choice stays with the conversation.
  await expect(picker.locator("[data-tools-count]")).toHaveText("2");

  // A tool that changes things waits for the user: declined, it never runs.
  const dispatch = 'CALL overlord__dispatch_task {"project": "no-such-project", "instruction": "reindex"}';
  await composer.fill(dispatch);
  await composer.press("Enter");
  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toContainText("overlord/dispatch_task");
  await expect(page.locator(".message-live")).toContainText("Waiting for your OK to run a tool");
  await dialog.getByRole("button", { name: "Don't run" }).click();
  await expect(answers.last()).toHaveAttribute("data-status", "complete");
  await expect(answers.last().locator('[data-tool-call="overlord/dispatch_task"]')).toHaveAttribute(
    "data-status",
    "declined",
  );
  await expect(answers.last().locator(".message-text")).toContainText("the user declined to run it");

  // Allowed, it runs (and the Overlord says there is no such project).
  await composer.fill(dispatch);
  await composer.press("Enter");
  await dialog.getByRole("button", { name: "Run", exact: true }).click();
  await expect(answers.last()).toHaveAttribute("data-status", "complete");
  const ran = answers.last().locator('[data-tool-call="overlord/dispatch_task"]');
  await expect(ran).toHaveAttribute("data-status", "failed");
  await ran.locator("summary").click();
  await expect(ran.locator("[data-tool-error]")).toHaveText("no project named `no-such-project`");

  // A reload shows the same calls.
  await page.reload();
  await expect(answers.last().locator('[data-tool-call="overlord/dispatch_task"]')).toHaveAttribute(
    "data-status",
    "failed",
  );
  expect(errors).toEqual([]);
});

// The Atom Overlord end to end: each tab's main action as an administrator, against
// a real project (a small HTTP server started here), and its absence for users.
import { expect, test, type Page } from "@playwright/test";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gotoHydrated, sidebarLinks } from "./helpers";
import { adminURL, userURL } from "./servers";

/** A project the Overlord watches: `/health` answers 200, `/dispatch` takes tasks. */
let project: Server;
let projectURL = "";
const received: unknown[] = [];

test.beforeAll(async () => {
  project = createServer((req, res) => {
    if (req.url === "/health") {
      res.writeHead(200).end("ok");
    } else if (req.url === "/dispatch" && req.method === "POST") {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        received.push(JSON.parse(body));
        res.writeHead(200).end("on it");
      });
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => project.listen(0, "127.0.0.1", resolve));
  projectURL = `http://127.0.0.1:${(project.address() as AddressInfo).port}`;
});

test.afterAll(() => project.close());

const tab = (page: Page, label: string) =>
  page.getByRole("navigation", { name: "Atom Overlord tabs" }).getByRole("link", { name: label });

test("as an administrator, each Overlord tab does its work", async ({ page }) => {
  const name = `alpha-${Date.now() % 100000}`;
  const errors = await gotoHydrated(page, "/overlord");
  await expect(sidebarLinks(page).filter({ hasText: "Overlord" })).toHaveCount(1);
  // Each tab draws the icon it declares.
  const tabIcons = page.getByRole("navigation", { name: "Atom Overlord tabs" }).locator("svg.icon");
  await expect(tabIcons).toHaveCount(4);
  const icons = await tabIcons.evaluateAll((svgs) => svgs.map((svg) => svg.getAttribute("data-icon")));
  expect(icons).toEqual(["globe", "send", "brain", "shield"]);

  // Ecosystem: add a project and see its health change.
  const projectForm = page.locator('form[data-form="project"]');
  await projectForm.getByLabel("Name").fill(name);
  await projectForm.getByLabel("Repository or location").fill("git@example.com:alpha");
  await projectForm.getByLabel("Health URL").fill(`${projectURL}/health`);
  await projectForm.getByLabel("Dispatch URL").fill(`${projectURL}/dispatch`);
  await projectForm.getByRole("button", { name: "Add project" }).click();
  const row = page.locator(`tr[data-project="${name}"]`);
  await expect(row.locator("[data-status]")).toHaveText("up");
  // Point it somewhere dead: the next check finds it down.
  await row.getByRole("button", { name: "Edit" }).click();
  await projectForm.getByLabel("Health URL").fill("http://127.0.0.1:9/health");
  await projectForm.getByRole("button", { name: "Save changes" }).click();
  await row.getByRole("button", { name: "Check now" }).click();
  await expect(row.locator("[data-status]")).toHaveText("down");
  await expect(row).toContainText("cannot connect");

  // Dispatch: send a task and see it done, with its history.
  await tab(page, "Dispatch").click();
  await expect(page).toHaveURL(/\/overlord\/dispatch$/);
  const taskForm = page.locator('form[data-form="task"]');
  await taskForm.getByLabel("Project").selectOption({ label: name });
  await taskForm.getByLabel("Instruction").fill("rebuild the search index");
  await taskForm.getByLabel("Priority").selectOption("high");
  await taskForm.getByRole("button", { name: "Dispatch" }).click();
  const task = page.locator('tr[data-task]').filter({ hasText: "rebuild the search index" }).first();
  await expect(task).toHaveAttribute("data-state", "done");
  await expect(task).toContainText("running");
  expect(received).toContainEqual(expect.objectContaining({ instruction: "rebuild the search index", priority: "high" }));

  // Memory: add an entry and find it again.
  await tab(page, "Memory").click();
  const memoryForm = page.locator('form[data-form="memory"]');
  const key = `runbook-${name}`;
  await memoryForm.getByLabel("Key").fill(key);
  await memoryForm.getByLabel("Content").fill("Restart the indexer with the blue/green switch");
  await memoryForm.getByLabel("Tags (comma-separated)").fill("ops, indexer");
  await memoryForm.getByRole("button", { name: "Add memory" }).click();
  await expect(page.locator(".toast").filter({ hasText: `Saved “${key}”.` })).toBeVisible();
  await page.getByLabel("Search").fill("indexer blue");
  await expect(page.locator(`[data-memory="${key}"]`)).toBeVisible();
  await page.getByLabel("Search").fill("no such words anywhere");
  await expect(page.getByText("Nothing found.")).toBeVisible();

  // Audit: the dispatch is there, and the filter narrows it down.
  await tab(page, "Audit").click();
  const audit = page.locator('table[data-table="overlord-audit"]');
  await expect(audit.locator('tr[data-action="task.dispatched"]').first()).toContainText(name);
  await page.getByLabel("Action").fill("memory.");
  await expect(audit.locator('tr[data-action="memory.added"]').first()).toContainText(key);
  await expect(audit.locator('tr[data-action="task.dispatched"]')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("the Overlord is absent for users, and its API refused", async ({ page }) => {
  await page.goto(`${userURL}/`);
  await expect(sidebarLinks(page).filter({ hasText: "Overlord" })).toHaveCount(0);
  const pageResponse = await page.goto(`${userURL}/overlord`);
  expect(pageResponse?.status()).toBe(404);
  const api = await page.request.get(`${userURL}/api/modules/overlord/projects`);
  expect(api.status()).toBe(403);
  // For administrators it answers.
  const admin = await page.request.get(`${adminURL}/api/modules/overlord/projects`);
  expect(admin.status()).toBe(200);
});

test("a Memory page emptied by deleting steps back to the last page with entries", async ({ page }) => {
  const tag = `paging${Date.now() % 100000}`;
  // Eleven entries: ten on the first page, one on the second.
  for (let i = 0; i < 11; i++) {
    const made = await page.request.post(`${adminURL}/api/modules/overlord/memory`, {
      data: { key: `${tag}-${i}`, content: "paging test", tags: [tag] },
    });
    expect(made.ok()).toBe(true);
  }
  const errors = await gotoHydrated(page, "/overlord/memory");
  await page.getByLabel("Search").fill(tag);
  const pager = page.locator("[data-pager]");
  await expect(pager).toHaveText("page 1 of 2 (11 entries)");
  await page.getByRole("navigation", { name: "Memory pages" }).getByRole("button", { name: "Next" }).click();
  await expect(pager).toHaveText("page 2 of 2 (11 entries)");
  const last = page.locator('[data-list="memory"] > li');
  await expect(last).toHaveCount(1);

  await last.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click();
  await expect(pager).toHaveText("page 1 of 1 (10 entries)");
  await expect(page.locator('[data-list="memory"] > li')).toHaveCount(10);
  await expect(page.getByText("Nothing found.")).toHaveCount(0);
  expect(errors).toEqual([]);
});

// The same product on PostgreSQL (`DATABASE_URL`, a throwaway server `cargo xtask
// test` starts): core and module migrations, sign-in, accounts, both modules' data
// and the audit trail, and a Chat round trip, through the browser and the API.
import { expect, test } from "@playwright/test";
import { adminPassword, postgresURL } from "./servers";

test("on PostgreSQL, accounts, modules, chat and the audit trail work", async ({ page }) => {
  test.skip(!process.env.GANTRY_POSTGRES_URL, "needs GANTRY_POSTGRES_URL: cargo xtask test starts a PostgreSQL");
  await page.goto(`${postgresURL}/login`);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(adminPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${postgresURL}/`);
  await page.goto(`${postgresURL}/admin/system`);
  await expect(page.locator(".facts")).toContainText("postgres");
  await expect(page.locator(".facts")).toContainText("each module migrates as a role of its own");
  await page.goto(`${postgresURL}/admin/modules`);
  for (const name of ["overlord", "forge"]) {
    await expect(page.locator(`tr[data-module="${name}"]`)).toContainText("running");
  }

  // The page's own session calls the APIs, as its scripts would.
  const api = page.request;
  const headers = { origin: postgresURL };
  const user = await api.post(`${postgresURL}/api/admin/users`, {
    headers,
    data: { username: `pg${Date.now() % 100000}`, display_name: "On Postgres", password: "a long password" },
  });
  expect(user.status()).toBe(201);
  const created = await api.post(`${postgresURL}/api/modules/forge/collections/templates`, {
    headers,
    data: { name: "Postgres note", body: "Stored in {{where}}" },
  });
  expect(created.status()).toBe(201);
  const found = await (await api.get(`${postgresURL}/api/modules/forge/collections/templates?q=STORED`)).json();
  expect(found.items.map((t: { name: string }) => t.name)).toContain("Postgres note");
  const memory = await api.post(`${postgresURL}/api/modules/overlord/memory`, {
    headers,
    data: { key: "pg", content: "Runs on PostgreSQL", tags: ["db"] },
  });
  expect(memory.status()).toBe(201);
  const memories = await (await api.get(`${postgresURL}/api/modules/overlord/memory?q=postgresql&tag=db`)).json();
  expect(memories.total).toBe(1);

  // Chat: a conversation, a streamed answer from the test model server, search
  // through PostgreSQL's full-text index, and the same in the browser.
  const conversation = await (await api.post(`${postgresURL}/api/chat/conversations`, { headers, data: { model: "default/echo" } })).json();
  const streamed = await api.post(`${postgresURL}/api/chat/conversations/${conversation.id}/messages`, {
    headers,
    data: { content: "Elephants remember everything" },
  });
  expect(streamed.status()).toBe(200);
  const events = await streamed.text();
  expect(events).toContain("event: done");
  expect(events).toContain("You said: Elephants remember everything");
  const listed = await api.get(`${postgresURL}/api/chat/conversations`);
  expect(listed.status()).toBe(200);
  expect((await listed.json()).conversations.map((c: { id: string }) => c.id)).toContain(conversation.id);
  const hits = await (await api.get(`${postgresURL}/api/chat/search?q=elephant`)).json();
  expect(hits.results.map((r: { conversation_id: string }) => r.conversation_id)).toContain(conversation.id);
  expect(hits.results.find((r: { role: string }) => r.role === "user").message_snippet).toContain("Elephants");
  await page.goto(`${postgresURL}/c/${conversation.id}`);
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true", { timeout: 20_000 });
  await expect(page.locator('article[data-role="assistant"]')).toContainText("You said: Elephants remember everything");
  await page.getByRole("textbox", { name: "Message" }).fill("And mice?");
  await page.getByRole("textbox", { name: "Message" }).press("Enter");
  await expect(page.locator('article[data-role="assistant"]').last()).toContainText("You said: And mice?");

  const audit = await (await api.get(`${postgresURL}/api/admin/audit?per_page=200`)).json();
  const actions = audit.entries.map((e: { action: string }) => e.action);
  for (const action of ["login.succeeded", "user.created", "collection.created", "memory.added", "migration.applied"]) {
    expect(actions).toContain(action);
  }
});

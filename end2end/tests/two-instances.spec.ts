// Scaled out: two Gantry instances on one PostgreSQL (`postgresAURL`, `postgresBURL`)
// and a round-robin proxy in front (`postgresURL`). A session opened on one works on
// the other; signing out, a new role or a disabled account holds on both within the
// session cache's bound; what one stores the other reads; the Overlord's background
// work happens once, not once per instance.
import { type APIRequestContext, expect, request, test } from "@playwright/test";
import { adminPassword, modelsControlURL, postgresAURL, postgresBURL, postgresURL } from "./servers";

test.skip(!process.env.GANTRY_POSTGRES_URL, "needs GANTRY_POSTGRES_URL: cargo xtask test starts a PostgreSQL");

/** The session cache believes a session for 1 s; a change is seen within 2 s. */
const BOUND_MS = 2_000;

/** An API client signed in as `username` on `url`, with its session cookie. */
async function signedIn(url: string, username: string, password: string): Promise<{ api: APIRequestContext; cookie: string }> {
  const api = await request.newContext();
  const res = await api.post(`${url}/api/auth/login`, {
    form: { username, password },
    maxRedirects: 0,
  });
  expect(res.status(), `${username} signs in on ${url}`).toBe(303);
  const cookie = res
    .headersArray()
    .filter((h) => h.name.toLowerCase() === "set-cookie")
    .map((h) => h.value.split(";")[0])
    .find((pair) => pair.startsWith("gantry_session="));
  expect(cookie).toBeTruthy();
  return { api, cookie: cookie! };
}

/** The status of `GET url/path` with nothing but `cookie`. */
async function statusWith(cookie: string, url: string, path: string): Promise<number> {
  const api = await request.newContext({ extraHTTPHeaders: { cookie } });
  const status = (await api.get(`${url}${path}`, { maxRedirects: 0 })).status();
  await api.dispose();
  return status;
}

/** `cookie`'s session is refused on every one of `urls` within the bound. */
async function refusedOn(cookie: string, urls: string[]) {
  for (const url of urls) {
    await expect.poll(() => statusWith(cookie, url, "/api/me"), { timeout: BOUND_MS }).toBe(401);
  }
}

test("a session opened on one instance goes on on the other, and signing out ends it on both", async ({ page }) => {
  await page.goto(`${postgresAURL}/login`);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(adminPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${postgresAURL}/`);
  // The cookie is the host's, whatever the port: the other instance sees it.
  const cookie = (await page.context().cookies()).find((c) => c.name === "gantry_session")!;
  await page.goto(`${postgresBURL}/settings`);
  await expect(page.getByRole("heading", { name: "Settings" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true", { timeout: 20_000 });
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  const session = `gantry_session=${cookie.value}`;
  await refusedOn(session, [postgresAURL, postgresBURL, postgresURL]);
});

test("a new role or a disabled account holds on both instances within the bound", async () => {
  const admin = await signedIn(postgresAURL, "admin", adminPassword);
  const username = `scaled${Date.now() % 100000}`;
  const created = await admin.api.post(`${postgresAURL}/api/admin/users`, {
    headers: { cookie: admin.cookie },
    data: { username, display_name: "Scaled Out", password: "a long password" },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();

  // A plain user on B; made an administrator on A: the session ends on both.
  const user = await signedIn(postgresBURL, username, "a long password");
  expect(await statusWith(user.cookie, postgresBURL, "/api/admin/users")).toBe(403);
  expect(await statusWith(user.cookie, postgresAURL, "/api/me")).toBe(200);
  const promoted = await admin.api.patch(`${postgresAURL}/api/admin/users/${id}`, {
    headers: { cookie: admin.cookie },
    data: { is_admin: true },
  });
  expect(promoted.status()).toBe(200);
  await refusedOn(user.cookie, [postgresAURL, postgresBURL]);
  // Signed in again (on B), an administrator on A too.
  const again = await signedIn(postgresBURL, username, "a long password");
  expect(await statusWith(again.cookie, postgresAURL, "/api/admin/users")).toBe(200);

  // Disabled through the proxy: refused on both, and no new sign-in.
  const disabled = await admin.api.patch(`${postgresURL}/api/admin/users/${id}`, {
    headers: { cookie: admin.cookie },
    data: { disabled: true },
  });
  expect(disabled.status()).toBe(200);
  await refusedOn(again.cookie, [postgresAURL, postgresBURL]);
  const refused = await (await request.newContext()).post(`${postgresBURL}/api/auth/login`, {
    form: { username, password: "a long password" },
    maxRedirects: 0,
  });
  expect(refused.headers()["location"]).toContain("error=disabled");
});

test("what one instance stores the other reads, and the Overlord's work is done once", async () => {
  const a = await signedIn(postgresAURL, "admin", adminPassword);
  const headers = { cookie: a.cookie };

  // A conversation started on A, answered through the proxy, listed on B.
  const conversation = await (
    await a.api.post(`${postgresAURL}/api/chat/conversations`, { headers, data: { model: "default/echo" } })
  ).json();
  const streamed = await a.api.post(`${postgresURL}/api/chat/conversations/${conversation.id}/messages`, {
    headers,
    data: { content: "Two instances, one story" },
  });
  expect(await streamed.text()).toContain("You said: Two instances, one story");
  const onB = await (await a.api.get(`${postgresBURL}/api/chat/conversations/${conversation.id}`, { headers })).json();
  expect(onB.messages.map((m: { content: string }) => m.content)).toContain("You said: Two instances, one story");

  // A memory kept on B is found on A.
  const key = `scaled-${Date.now() % 100000}`;
  const kept = await a.api.post(`${postgresBURL}/api/modules/overlord/memory`, {
    headers,
    data: { key, content: "Kept by the second instance", tags: ["scaled"] },
  });
  expect(kept.status()).toBe(201);
  const found = await (await a.api.get(`${postgresAURL}/api/modules/overlord/memory?q=second+instance`, { headers })).json();
  expect(found.entries.map((m: { key: string }) => m.key)).toContain(key);

  // Both instances' workers go round every second. Each round's health checks are
  // claimed by one of them: a project is checked about once a second, not twice.
  const health = `${key}-health`;
  const project = await a.api.post(`${postgresURL}/api/modules/overlord/projects`, {
    headers,
    data: { name: key, health_url: `${modelsControlURL}/count/${health}`, dispatch_url: `${modelsControlURL}/count/${key}-task` },
  });
  expect(project.status()).toBe(201);
  const counted = async (what: string) =>
    (await (await a.api.get(`${modelsControlURL}/counted/${what}`)).json()).count as number;
  const before = await counted(health);
  const started = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const checks = (await counted(health)) - before;
  const rounds = Math.floor((Date.now() - started) / 900) + 2;
  expect(checks, `${checks} checks in ${Date.now() - started} ms`).toBeGreaterThanOrEqual(2);
  expect(checks, `${checks} checks in ${Date.now() - started} ms`).toBeLessThanOrEqual(rounds);

  // A task is sent once, by whichever instance takes it.
  const { id: projectId } = await project.json();
  const task = await a.api.post(`${postgresURL}/api/modules/overlord/tasks`, {
    headers,
    data: { project_id: projectId, instruction: "once only", priority: "high" },
  });
  expect(task.status()).toBe(201);
  await expect
    .poll(async () => {
      const tasks = await (await a.api.get(`${postgresBURL}/api/modules/overlord/tasks`, { headers })).json();
      return tasks.find((t: { instruction: string }) => t.instruction === "once only")?.state;
    })
    .toBe("done");
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  expect(await counted(`${key}-task`)).toBe(1);
});

// Accounts end to end on the server with real accounts: an administrator creates a
// user, the user signs in, changes their password and signs out; the audit trail
// shows it all.
import { expect, test, type Page } from "@playwright/test";
import { adminPassword, signInURL } from "./servers";

async function signIn(page: Page, username: string, password: string) {
  await page.goto(`${signInURL}/login`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function waitHydrated(page: Page) {
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true", { timeout: 20_000 });
}

const mainNav = (page: Page) => page.getByRole("navigation", { name: "Main" });

test("an administrator creates a user, who signs in, changes their password and signs out", async ({ browser }) => {
  // Two browsers through a dozen pages, each loading its page's chunks (debug WASM).
  test.slow();
  const username = `carol${Date.now() % 100000}`;
  const first = "carol's first password";
  const second = "carol's second password";

  // The administrator creates the account.
  const admin = await browser.newPage();
  await signIn(admin, "admin", adminPassword);
  await expect(mainNav(admin).getByRole("link", { name: "Admin" })).toBeVisible();
  await admin.goto(`${signInURL}/admin/users`);
  await waitHydrated(admin);
  await expect(admin.locator('tr[data-user="admin"]')).toContainText("administrator");
  const form = admin.locator('form[data-form="new-user"]');
  await form.getByLabel("Username").fill(username);
  await form.getByLabel("Display name").fill("Carol");
  await form.getByLabel("Password").fill(first);
  await form.getByRole("button", { name: "Create account" }).click();
  await expect(admin.locator(".toast")).toContainText(`Created the account ${username}.`);
  const row = admin.locator(`tr[data-user="${username}"]`);
  await expect(row).toContainText("user");
  await expect(row).toContainText("active");
  await expect(row).toContainText("never");

  // Carol signs in: no administrator entries, and the server refuses the Admin page.
  const carol = await browser.newPage();
  await signIn(carol, username, first);
  await expect(carol).toHaveURL(`${signInURL}/`);
  await expect(carol.locator(".topbar-user")).toHaveText("Carol");
  await expect(mainNav(carol).getByRole("link", { name: "Chat" })).toBeVisible();
  await expect(mainNav(carol).getByRole("link", { name: "Admin" })).toHaveCount(0);
  const refused = await carol.goto(`${signInURL}/admin/users`);
  expect(refused?.status()).toBe(403);

  // She changes her password in Settings.
  await carol.goto(`${signInURL}/settings/profile`);
  await waitHydrated(carol);
  const password = carol.locator('form[data-form="password"]');
  await password.getByLabel("Current password").fill("not my password");
  await password.getByLabel("New password (at least 10 characters)").fill(second);
  await password.getByLabel("New password again").fill(second);
  await password.getByRole("button", { name: "Change password" }).click();
  await expect(password.getByRole("alert")).toHaveText("the current password is wrong");
  await password.getByLabel("Current password").fill(first);
  await password.getByRole("button", { name: "Change password" }).click();
  await expect(carol.locator(".toast")).toContainText("Password changed.");
  // Still signed in here, with the new session.
  await carol.reload();
  await expect(carol.locator(".topbar-user")).toHaveText("Carol");

  await carol.getByRole("button", { name: "Sign out" }).click();
  await expect(carol).toHaveURL(`${signInURL}/login`);
  await signIn(carol, username, first);
  await expect(carol.getByRole("alert")).toHaveText("Wrong username or password.");
  await signIn(carol, username, second);
  await expect(carol).toHaveURL(`${signInURL}/`);

  // The administrator sees it all in the audit trail, and can narrow it down.
  await admin.goto(`${signInURL}/admin/audit`);
  await waitHydrated(admin);
  const audit = admin.locator('table[data-table="audit"]');
  await expect(audit.locator('tr[data-action="password.changed"]').first()).toContainText(username);
  await admin.getByLabel("Actor").fill(username);
  await expect(audit.locator("tbody tr").first()).toContainText(username);
  // The wrong current password in Settings and the old password at sign-in: both
  // count as failed sign-ins.
  await expect(audit.locator('tr[data-action="login.failed"]')).toHaveCount(2);
  await expect(audit.locator('tr[data-action="login.succeeded"]')).toHaveCount(2);
  await admin.getByLabel("Action").fill("user.created");
  await expect(audit.locator("tbody tr")).toHaveCount(0);
  await admin.getByLabel("Actor").fill("admin");
  await expect(audit.locator(`tr[data-action="user.created"]`).filter({ hasText: username })).toHaveCount(1);

  // Disabling her, after confirming, signs her out.
  await admin.goto(`${signInURL}/admin/users`);
  await waitHydrated(admin);
  await admin.locator(`tr[data-user="${username}"]`).getByRole("button", { name: "Disable" }).click();
  await expect(admin.getByRole("alertdialog")).toContainText(`Disable ${username}?`);
  await admin.getByRole("alertdialog").getByRole("button", { name: "Disable" }).click();
  await expect(admin.locator(`tr[data-user="${username}"]`)).toContainText("disabled");
  await carol.reload();
  await expect(carol).toHaveURL(/\/login\?next=\/$/);
});

test("an administrator unlocks an account locked by failed sign-ins", async ({ browser }) => {
  const username = `dave${Date.now() % 100000}`;
  const password = "dave's long password";
  const admin = await browser.newPage();
  await signIn(admin, "admin", adminPassword);
  await expect(admin).toHaveURL(`${signInURL}/`);
  const created = await admin.request.post(`${signInURL}/api/admin/users`, {
    headers: { origin: signInURL },
    data: { username, display_name: "Dave", password },
  });
  expect(created.status()).toBe(201);

  // Someone guesses Dave's password five times: the account locks, even for Dave.
  const dave = await browser.newPage();
  for (let i = 0; i < 5; i++) {
    await signIn(dave, username, `guess number ${i}`);
    await expect(dave.getByRole("alert")).toHaveText("Wrong username or password.");
  }
  await signIn(dave, username, password);
  await expect(dave.getByRole("alert")).toContainText("Too many failed sign-ins");

  // The administrator sees it in Admin → Users and unlocks it.
  await admin.goto(`${signInURL}/admin/users`);
  await waitHydrated(admin);
  const row = admin.locator(`tr[data-user="${username}"]`);
  await expect(row.locator("[data-locked]")).toHaveText("sign-in locked");
  await row.getByRole("button", { name: "Unlock sign-in" }).click();
  await expect(admin.locator(".toast")).toContainText(`${username} may sign in again.`);
  await expect(row.locator("[data-locked]")).toHaveCount(0);
  await expect(row.getByRole("button", { name: "Unlock sign-in" })).toHaveCount(0);

  await signIn(dave, username, password);
  await expect(dave).toHaveURL(`${signInURL}/`);
});

test("a user makes an API token, sees it once, a script uses it, and it stops working once revoked", async ({ page, request }) => {
  await signIn(page, "admin", adminPassword);
  await expect(page).toHaveURL(`${signInURL}/`);
  await page.goto(`${signInURL}/settings/tokens`);
  await waitHydrated(page);
  const name = `deploy ${Date.now() % 100000}`;
  const form = page.locator('form[data-form="new-token"]');
  await form.getByLabel("Name (what uses it)").fill(name);
  await form.getByLabel("Expires").selectOption("30");
  await form.getByLabel("Read-only").check();
  await form.getByRole("button", { name: "Make token" }).click();

  const made = page.locator('[data-state="token-made"]');
  await expect(made).toContainText("shown only this once");
  const secret = (await made.locator("[data-token]").textContent())!.trim();
  expect(secret).toMatch(/^gantry_[0-9a-f]{48}$/);
  const row = page.locator(`tr[data-token-name="${name}"]`);
  await expect(row).toContainText("read-only");
  await expect(row).toContainText("not yet");

  // A script reads with it; it may not write.
  const me = await request.get(`${signInURL}/api/me`, { headers: { authorization: `Bearer ${secret}` } });
  expect(me.status()).toBe(200);
  expect((await me.json()).username).toBe("admin");
  const write = await request.post(`${signInURL}/api/chat/conversations`, { headers: { authorization: `Bearer ${secret}` }, data: {} });
  expect(write.status()).toBe(403);

  // Once the page is left, the token is never shown again; the list shows its use.
  await page.reload();
  await waitHydrated(page);
  await expect(page.locator('[data-state="token-made"]')).toHaveCount(0);
  await expect(page.getByText(secret)).toHaveCount(0);
  await expect(row).not.toContainText("not yet");

  await row.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Revoke" }).click();
  await expect(row).toHaveCount(0);
  const after = await request.get(`${signInURL}/api/me`, { headers: { authorization: `Bearer ${secret}` } });
  expect(after.status()).toBe(401);
});

// Admin → Logs: the server's recent lines, filtered, and new ones arriving live.
import { expect, test } from "@playwright/test";
import { adminPage, gotoHydrated } from "./helpers";
import { signInURL } from "./servers";

test("Admin → Logs shows the server's lines, filters them, and follows new ones live", async ({ browser }) => {
  const page = await adminPage(browser);
  const errors = await gotoHydrated(page, "/admin/logs");
  const lines = page.locator('[data-list="logs"] > li');
  // The start-up line is there (newest first, so it is further down).
  await expect(lines.filter({ hasText: "Gantry listening on" })).toHaveCount(1);
  // A module's own lines, by its name.
  await page.getByLabel("Module").fill("hello");
  await expect(lines.first()).toContainText("module `hello`");
  await expect(lines.filter({ hasText: "Gantry listening on" })).toHaveCount(0);
  await page.getByLabel("Module").fill("");

  // A refused sign-in elsewhere shows up without a reload; the password it tried does not.
  await page.getByLabel("Level").selectOption("info");
  const stranger = await browser.newContext({ baseURL: signInURL });
  const login = await stranger.newPage();
  await login.goto("/login");
  const username = `nobody${Date.now() % 100000}`;
  await login.getByLabel("Username").fill(username);
  await login.getByLabel("Password").fill("a wrong password 12345");
  await login.getByRole("button", { name: "Sign in" }).click();
  await expect(login.getByRole("alert")).toHaveText("Wrong username or password.");
  const refused = lines.filter({ hasText: `username=${username}` });
  await expect(refused).toHaveCount(1);
  await expect(refused).toContainText("login refused");
  await expect(page.locator('[data-list="logs"]')).not.toContainText("a wrong password 12345");

  // Only warnings and errors: the info line goes.
  await page.getByLabel("Level").selectOption("warn");
  await expect(refused).toHaveCount(0);
  await expect(lines.first()).toHaveAttribute("data-level", /^(warn|error)$/);
  expect(errors).toEqual([]);
  await stranger.close();
  await page.context().close();
});

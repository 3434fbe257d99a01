// Signing in and out on a server with real accounts (no development user).
import { expect, test } from "@playwright/test";
import { adminPassword, signInURL } from "./servers";

test("a signed-out visitor signs in, lands where they were going, and signs out", async ({ page }) => {
  await page.goto(`${signInURL}/settings`);
  await expect(page).toHaveURL(`${signInURL}/login?next=/settings`);
  await expect(page.getByRole("navigation", { name: "Main" })).toHaveCount(0);

  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Wrong username or password.");

  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(adminPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${signInURL}/settings`);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toBeVisible();
  await expect(page.locator(".topbar-user")).toHaveText("Administrator");

  const cookies = await page.context().cookies(signInURL);
  const session = cookies.find((c) => c.name === "gantry_session");
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Lax");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(`${signInURL}/login`);
  await page.goto(`${signInURL}/admin`);
  await expect(page).toHaveURL(/\/login\?next=\/admin$/);
});

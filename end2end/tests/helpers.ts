import { expect, type Browser, type Page } from "@playwright/test";
import { adminPassword, signInURL } from "./servers";

/** Opens `path`, waits until the WASM has hydrated it, and collects page errors. */
export async function gotoHydrated(page: Page, path: string): Promise<string[]> {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  await page.goto(path);
  // A debug WASM bundle on a busy 2-core machine can take a while to compile.
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true", { timeout: 20_000 });
  return errors;
}

/** The sidebar's link labels, in order. */
export function sidebarLinks(page: Page) {
  return page.getByRole("navigation", { name: "Main" }).getByRole("link");
}

/** A page of a new browser context signed in as the administrator of the server
 * with real accounts. */
export async function adminPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ baseURL: signInURL });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(adminPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${signInURL}/`);
  return page;
}

/** Waits until `page` shows its content: module components mounted (or failed) and no
 * loading note left (lazy pages and module bundles load after hydration). */
export async function settled(page: Page, what: string) {
  await expect(page.locator('.module-component[data-state="loading"]'), `${what} is still loading its module`).toHaveCount(0, {
    timeout: 15_000,
  });
  await expect(page.locator(".loading:visible, .module-status:visible"), `${what} is still loading`).toHaveCount(0, {
    timeout: 15_000,
  });
}

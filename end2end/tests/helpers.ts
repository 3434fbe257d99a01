import { expect, type Page } from "@playwright/test";

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

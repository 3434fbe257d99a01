// Screenshots of the main pages at phone and desktop width in both themes, for a
// person to review: `cargo xtask screenshots` runs this alone and writes them to
// `<target>/screenshots`. Without GANTRY_SCREENSHOTS_DIR (the normal test run) it
// is skipped.
import { expect, test, type Browser } from "@playwright/test";
import { join } from "node:path";
import { gotoHydrated, settled } from "./helpers";
import { signInURL } from "./servers";

const dir = process.env.GANTRY_SCREENSHOTS_DIR;
test.skip(!dir, "only for `cargo xtask screenshots`");

/** Name and path of each page; the conversation is made first. */
const pages: [string, string][] = [
  ["chat", "/"],
  ["knowledge", "/knowledge"],
  ["settings", "/settings/appearance"],
  ["admin-models", "/admin/models"],
  ["admin-modules", "/admin/modules"],
  ["overlord", "/overlord"],
  ["forge", "/forge"],
  ["not-found", "/no-such-page"],
];

const sizes = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };

async function shoot(browser: Browser, baseURL: string, list: [string, string][]) {
  for (const theme of ["light", "dark"]) {
    for (const [size, viewport] of Object.entries(sizes)) {
      const context = await browser.newContext({ baseURL, viewport });
      await context.addCookies([{ name: "gantry_theme", value: theme, url: baseURL }]);
      const page = await context.newPage();
      for (const [name, path] of list) {
        await gotoHydrated(page, path);
        await settled(page, path);
        await page.screenshot({ path: join(dir!, `${name}-${size}-${theme}.png`), fullPage: true });
      }
      await context.close();
    }
  }
}

test.slow();

test("the main pages, signed in", async ({ browser, baseURL, page }) => {
  await gotoHydrated(page, "/");
  await page.getByRole("combobox", { name: "Model" }).selectOption("default/echo");
  const composer = page.getByRole("textbox", { name: "Message" });
  await composer.fill("What does **Gantry** do?\n\n```rust\nfn main() { println!(\"hello\"); }\n```");
  await composer.press("Enter");
  await expect(page.locator('article[data-role="assistant"]')).toHaveAttribute("data-status", "complete");
  const conversation = new URL(page.url()).pathname;
  await shoot(browser, baseURL!, [["conversation", conversation], ...pages]);
});

test("the sign-in page", async ({ browser }) => {
  await shoot(browser, signInURL, [["login", "/login"]]);
});

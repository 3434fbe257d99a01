// Every page a user can reach, found the way a user finds them (the sidebar, then each
// page's tabs): none scrolls sideways at phone or desktop width, each passes an
// automated accessibility check (axe-core: no serious or critical violation) in both
// themes, and the keyboard's focus is visible on it.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { gotoHydrated, settled } from "./helpers";
import { signInURL } from "./servers";

/** A conversation with a long unbroken word and a code block, so the thread's widest
 * content is on the page. */
async function aConversation(page: Page): Promise<string> {
  await gotoHydrated(page, "/");
  await page.getByRole("combobox", { name: "Model" }).selectOption("default/echo");
  const composer = page.getByRole("textbox", { name: "Message" });
  await composer.fill(
    "A long word: " + "x".repeat(120) + "\n\n```\n" + "let line = " + "y".repeat(160) + ";\n```",
  );
  await composer.press("Enter");
  await expect(page).toHaveURL(/\/c\/[0-9a-f]+$/);
  await expect(page.locator('article[data-role="assistant"]')).toHaveAttribute("data-status", "complete");
  return new URL(page.url()).pathname;
}

/** The sidebar's pages and every tab of each, plus a conversation and the 404 page. */
async function everyPath(page: Page): Promise<string[]> {
  const paths = new Set<string>([await aConversation(page), "/no-such-page"]);
  const sidebar = await page
    .getByRole("navigation", { name: "Main" })
    .locator("a[href]")
    .evaluateAll((links) => links.map((a) => a.getAttribute("href")!));
  for (const path of sidebar) {
    paths.add(path);
    await gotoHydrated(page, path);
    const tabs = await page.locator("nav.tabs a[href]").evaluateAll((links) => links.map((a) => a.getAttribute("href")!));
    tabs.forEach((tab) => paths.add(tab));
  }
  return [...paths];
}

/** The signed-out pages, on the server with real accounts. */
const signedOut = ["/login", "/setup"];

/** Opens `path` and waits until its content (not just the shell) is there. */
async function open(page: Page, path: string) {
  await gotoHydrated(page, path);
  await settled(page, path);
}

async function horizontalOverflow(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return null;
    // Name the outermost elements that stick out, for the failure message.
    const sticksOut = (el: Element | null) => !!el && el.getBoundingClientRect().right > width + 1;
    const clipped = (el: Element) => {
      for (let up = el.parentElement; up; up = up.parentElement) {
        if (getComputedStyle(up).overflowX !== "visible") return true;
      }
      return false;
    };
    const culprits = [...document.querySelectorAll("body *")]
      .filter((el) => sticksOut(el) && !sticksOut(el.parentElement) && !clipped(el))
      .map((el) => el.tagName.toLowerCase() + (el.classList.length ? "." + [...el.classList].join(".") : ""));
    return `${document.documentElement.scrollWidth}px wide: ${culprits.slice(0, 6).join(", ")}`;
  });
}

async function axeProblems(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).slice(0, 4).join(" | ")}`);
}

/** The first `count` stops of the keyboard's Tab order that show no focus ring. */
async function focusWithoutRing(page: Page, count: number): Promise<string[]> {
  const missing: string[] = [];
  await page.locator("body").focus();
  for (let i = 0; i < count; i++) {
    await page.keyboard.press("Tab");
    const seen = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
      return { ring, name: el.tagName.toLowerCase() + (el.textContent ?? "").trim().slice(0, 20) };
    });
    if (seen === null) break;
    if (!seen.ring) missing.push(seen.name);
  }
  return missing;
}

async function themedPage(browser: Browser, baseURL: string, theme: "light" | "dark", phone: boolean): Promise<Page> {
  const context = await browser.newContext({
    baseURL,
    viewport: phone ? { width: 390, height: 844 } : { width: 1280, height: 800 },
  });
  await context.addCookies([{ name: "gantry_theme", value: theme, url: baseURL }]);
  return context.newPage();
}

test.slow();

/** The pages are checked in this many tests each way, so that each fits its time. */
const SLICES = 3;

let paths: string[] = [];

test.beforeAll(async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const page = await themedPage(browser, baseURL!, "light", false);
  paths = await everyPath(page);
  await page.context().close();
});

/** Slice `slice` of every page: each server with its pages. */
function slice(baseURL: string, slice: number): [string, string[]][] {
  const mine = (list: string[]) => list.filter((_, i) => i % SLICES === slice);
  return [
    [baseURL, mine(paths)],
    [signInURL, mine(signedOut)],
  ];
}

for (let part = 0; part < SLICES; part++) {
  test(`no page scrolls sideways at 390 px (part ${part + 1} of ${SLICES})`, async ({ browser, baseURL }) => {
    const problems: string[] = [];
    for (const [base, list] of slice(baseURL!, part)) {
      const page = await themedPage(browser, base, "light", true);
      for (const path of list) {
        await open(page, path);
        const overflow = await horizontalOverflow(page);
        if (overflow) problems.push(`${path}: ${overflow}`);
      }
      await page.context().close();
    }
    expect(problems).toEqual([]);
  });

  for (const theme of ["light", "dark"] as const) {
    test(`every page passes axe in the ${theme} theme, fits 1280 px and shows the keyboard's focus (part ${part + 1} of ${SLICES})`, async ({
      browser,
      baseURL,
    }) => {
      const problems: string[] = [];
      for (const [base, list] of slice(baseURL!, part)) {
        const page = await themedPage(browser, base, theme, false);
        for (const path of list) {
          await open(page, path);
          (await axeProblems(page)).forEach((p) => problems.push(`${path}: ${p}`));
          const overflow = await horizontalOverflow(page);
          if (overflow) problems.push(`${path} at 1280 px: ${overflow}`);
          (await focusWithoutRing(page, 12)).forEach((el) => problems.push(`${path}: focus not visible on ${el}`));
        }
        await page.context().close();
      }
      expect(problems).toEqual([]);
    });
  }
}

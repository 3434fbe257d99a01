// What only works once the WASM bundle has hydrated the page.
import { expect, test } from "@playwright/test";
import { gotoHydrated } from "./helpers";

test("clicking Settings navigates without a full page load", async ({ page }) => {
  const errors = await gotoHydrated(page, "/");
  // A full load would lose this marker; client-side routing keeps the document.
  await page.evaluate(() => ((window as any).__sameDocument = true));
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Settings");
  await expect(page.getByRole("link", { name: "Settings" })).toHaveAttribute("aria-current", "page");
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  await expect(page).toHaveTitle("Settings · Gantry");
  expect(errors).toEqual([]);
});

test("the theme switch changes the theme and remembers it", async ({ page }) => {
  const errors = await gotoHydrated(page, "/settings");
  const html = page.locator("html");
  const theme = page.getByTestId("theme-switch");
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

  await expect(theme).toContainText("System");
  await theme.click();
  await expect(html).toHaveAttribute("data-theme", /^(light|dark)$/);
  const first = await html.getAttribute("data-theme");
  await expect(theme).toContainText(first === "dark" ? "Dark" : "Light");
  const firstBackground = await background();

  await theme.click();
  const second = first === "dark" ? "light" : "dark";
  await expect(html).toHaveAttribute("data-theme", second);
  await expect(theme).toContainText(second === "dark" ? "Dark" : "Light");
  expect(await background()).not.toBe(firstBackground);

  // The choice is a cookie, so the server renders it on the next load.
  await page.reload();
  await expect(html).toHaveAttribute("data-theme", second);
  expect(errors).toEqual([]);
});

test("each page's code is its own chunk: the first page loads only its own, and one that cannot be fetched says so in place and loads on Try again", async ({ page }) => {
  const wasm: string[] = [];
  page.on("response", (r) => {
    if (r.url().endsWith(".wasm")) wasm.push(r.url().split("/").pop()!);
  });
  const errors = await gotoHydrated(page, "/");
  expect(wasm).toContain("split_gantry_chat.wasm");
  expect(wasm).not.toContain("split_gantry_admin.wasm");

  // The Admin page's chunk does not arrive: the shell keeps working.
  await page.route("**/pkg/split_gantry_admin.wasm", (route) => route.abort());
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  const failed = page.locator("[data-state=chunk-failed]");
  await expect(failed).toContainText("This page could not be loaded");
  await expect(page.getByRole("heading", { level: 1 })).toHaveCount(0);

  // Once it can be fetched, Try again shows the page without a reload.
  await page.evaluate(() => ((window as any).__sameDocument = true));
  await page.unroute("**/pkg/split_gantry_admin.wasm");
  await failed.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Admin");
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  expect(wasm).toContain("split_gantry_admin.wasm");

  // Back in Chat, nothing was lost: the sidebar and the page still work.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Chat" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Chat");
  expect(errors).toEqual([]);
});

test("when the first page's own chunk does not arrive, a notice says so above the server's page, without a panic, and Reload recovers", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  await page.route("**/pkg/split_gantry_chat.wasm", (route) => route.abort());
  await page.goto("/");
  const notice = page.locator("[data-state=first-chunk-failed]");
  await expect(notice).toHaveAttribute("role", "alert", { timeout: 20_000 });
  await expect(notice).toContainText("its code did not arrive");
  // The server's page is still there to read.
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Chat");
  await expect(page.locator("html")).not.toHaveAttribute("data-hydrated", "true");

  await page.unroute("**/pkg/split_gantry_chat.wasm");
  await notice.getByRole("button", { name: "Reload" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true", { timeout: 20_000 });
  await expect(notice).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("the hidden attribute wins over the classes modules use", async ({ page }) => {
  await gotoHydrated(page, "/");
  const shown = await page.evaluate(() =>
    ["pager", "button-row", "card", "empty-state", "form-grid"].map((cls) => {
      const el = document.createElement("div");
      el.className = cls;
      el.hidden = true;
      document.body.append(el);
      const display = getComputedStyle(el).display;
      el.remove();
      return `${cls}: ${display}`;
    }),
  );
  expect(shown).toEqual(["pager: none", "button-row: none", "card: none", "empty-state: none", "form-grid: none"]);
});

test("at phone width the sidebar opens from the menu button, by mouse and keyboard", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const errors = await gotoHydrated(page, "/");
  const menu = page.getByRole("button", { name: "Menu" });
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav).toBeHidden();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(menu).toHaveAttribute("aria-controls", "main-nav");

  // Keyboard: Enter opens it with the focus on the first link; Escape closes it and
  // gives the focus back to the button.
  await menu.focus();
  await page.keyboard.press("Enter");
  await expect(nav).toBeVisible();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expect(nav.getByRole("link").first()).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(nav).toBeHidden();
  await expect(menu).toBeFocused();

  // Choosing a page goes there and closes the menu.
  await menu.click();
  await nav.getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(nav).toBeHidden();
  await expect(menu).toHaveAttribute("aria-expanded", "false");

  // At desktop width there is no menu button: the sidebar is always there.
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(menu).toBeHidden();
  await expect(nav).toBeVisible();
  expect(errors).toEqual([]);
});

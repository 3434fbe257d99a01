import { chromium } from "@playwright/test";
const [url, out, w, h, actions] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage({ viewport: { width: Number(w ?? 1280), height: Number(h ?? 800) } });
const errors = [];
page.on("pageerror", (e) => errors.push(e.message));
page.on("console", (m) => { if (m.type() === "error") errors.push("console: " + m.text()); });
await page.goto(url);
await page.waitForSelector("html[data-hydrated]", { timeout: 30000 });
if (actions === "send") {
  await page.getByRole("textbox", { name: "Message" }).fill("Hello **there**, tell me about cranes");
  await page.getByRole("textbox", { name: "Message" }).press("Enter");
  await page.waitForTimeout(1500);
}
if (actions === "html") {
  await page.getByRole("combobox", { name: "Model" }).selectOption("default/html");
  await page.getByRole("textbox", { name: "Message" }).fill("html please");
  await page.getByRole("textbox", { name: "Message" }).press("Enter");
  await page.waitForTimeout(1500);
}
await page.screenshot({ path: out });
console.log("url", page.url(), "errors", JSON.stringify(errors));
await browser.close();

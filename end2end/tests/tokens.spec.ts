// The colour tokens against WCAG AA, computed from `style/tokens.css` itself: every
// pair of text and background colour the stylesheet uses reaches 4.5:1, in both
// themes, and the dark theme chosen by the system is the same as the one chosen by
// hand.
import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const css = readFileSync(resolve(__dirname, "../../style/tokens.css"), "utf8");

/** The `--gantry-color-*` values of the first rule whose selector starts with `selector`. */
function colours(selector: string): Record<string, string> {
  const start = css.indexOf(`${selector} {`);
  expect(start, `no rule ${selector} in tokens.css`).toBeGreaterThanOrEqual(0);
  const body = css.slice(start, css.indexOf("}", start));
  return Object.fromEntries(
    [...body.matchAll(/--gantry-color-([a-z-]+):\s*(#[0-9a-fA-F]{6})\s*;/g)].map((m) => [m[1], m[2]]),
  );
}

/** Relative luminance of `#rrggbb` (WCAG 2.x). */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Text colour on background colour, as `main.css` pairs them. */
const pairs: [string, string][] = [
  ...["text", "text-muted", "accent", "success", "warning", "danger"].flatMap((text) =>
    ["bg", "surface", "surface-raised"].map((bg) => [text, bg] as [string, string]),
  ),
  ["accent", "accent-soft"], // the current page's sidebar link
  ["text", "accent-soft"],
  ["accent-text", "accent"], // primary buttons, the brand mark
  ["surface", "success"], // status badges
  ["surface", "danger"],
];

const themes = {
  light: colours(":root"),
  dark: colours(':root[data-theme="dark"]'),
};

for (const [theme, colour] of Object.entries(themes)) {
  test(`the ${theme} theme's text colours reach 4.5:1 on their backgrounds`, () => {
    const low = pairs
      .map(([text, bg]) => ({ pair: `${text} on ${bg}`, ratio: contrast(colour[text], colour[bg]) }))
      .filter(({ ratio }) => ratio < 4.5)
      .map(({ pair, ratio }) => `${pair}: ${ratio.toFixed(2)}`);
    expect(low).toEqual([]);
    // The focus ring stands out from the page (3:1 for non-text, WCAG 1.4.11).
    expect(contrast(colour["focus"], colour["bg"])).toBeGreaterThanOrEqual(3);
  });
}

test("the dark theme the system picks is the dark theme picked by hand", () => {
  expect(colours(":root:not([data-theme])")).toEqual(themes.dark);
});

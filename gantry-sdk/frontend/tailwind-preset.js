// Generated from style/tokens.css by gantry-sdk: do not edit by hand.
// Regenerate: GANTRY_UPDATE_TS=1 cargo test -p gantry-sdk tailwind
//
// A Tailwind preset whose values are Gantry's design tokens (CSS custom
// properties the host defines for light and dark): `bg-gantry-surface`,
// `p-gantry-4`, `rounded-gantry-md`, `text-gantry-sm`, `shadow-gantry`.
// Use: `presets: [require("…/tailwind-preset.js")]` in tailwind.config.js.
module.exports = {
  theme: {
    extend: {
      colors: {
        "gantry-bg": "var(--gantry-color-bg)",
        "gantry-surface": "var(--gantry-color-surface)",
        "gantry-surface-raised": "var(--gantry-color-surface-raised)",
        "gantry-border": "var(--gantry-color-border)",
        "gantry-text": "var(--gantry-color-text)",
        "gantry-text-muted": "var(--gantry-color-text-muted)",
        "gantry-accent": "var(--gantry-color-accent)",
        "gantry-accent-text": "var(--gantry-color-accent-text)",
        "gantry-accent-soft": "var(--gantry-color-accent-soft)",
        "gantry-success": "var(--gantry-color-success)",
        "gantry-warning": "var(--gantry-color-warning)",
        "gantry-danger": "var(--gantry-color-danger)",
        "gantry-focus": "var(--gantry-color-focus)",
      },
      spacing: {
        "gantry-1": "var(--gantry-space-1)",
        "gantry-2": "var(--gantry-space-2)",
        "gantry-3": "var(--gantry-space-3)",
        "gantry-4": "var(--gantry-space-4)",
        "gantry-6": "var(--gantry-space-6)",
        "gantry-8": "var(--gantry-space-8)",
        "gantry-12": "var(--gantry-space-12)",
      },
      borderRadius: {
        "gantry-sm": "var(--gantry-radius-sm)",
        "gantry-md": "var(--gantry-radius-md)",
        "gantry-lg": "var(--gantry-radius-lg)",
        "gantry-full": "var(--gantry-radius-full)",
      },
      fontSize: {
        "gantry-xs": "var(--gantry-text-xs)",
        "gantry-sm": "var(--gantry-text-sm)",
        "gantry-md": "var(--gantry-text-md)",
        "gantry-lg": "var(--gantry-text-lg)",
        "gantry-xl": "var(--gantry-text-xl)",
      },
      fontFamily: {
        "gantry-sans": ["var(--gantry-font-sans)"],
        "gantry-mono": ["var(--gantry-font-mono)"],
      },
      boxShadow: {
        gantry: "var(--gantry-shadow)",
      },
    },
  },
};

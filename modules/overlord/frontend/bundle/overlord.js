// The Overlord's bundle: loads its Leptos WASM, whose start function registers the
// components. `import()` of this bundle settles once the awaits below have. Both
// paths resolve against this file's URL, so the bundle also works from a dev server,
// and carry its version (`?v=…`), so a new version loads the new WASM.
const version = new URL(import.meta.url).search;
const { default: init } = await import(`/modules/overlord/static/pkg/overlord.js${version}`);

await init({
  module_or_path: new URL(`/modules/overlord/static/pkg/overlord_bg.wasm${version}`, import.meta.url),
});

// {{display}}'s bundle: loads its Leptos WASM, whose start function registers the
// components. Both paths carry this bundle's version (`?v=…`), so a new bundle loads
// the new WASM rather than the one the page has already.
const version = new URL(import.meta.url).search;
const { default: init } = await import(`/modules/{{name}}/static/pkg/{{lib}}.js${version}`);

await init({ module_or_path: new URL(`/modules/{{name}}/static/pkg/{{lib}}_bg.wasm${version}`, import.meta.url) });

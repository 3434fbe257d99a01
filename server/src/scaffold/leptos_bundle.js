// {{display}}'s bundle: loads its Leptos WASM, whose start function registers the
// components.
import init from "/modules/{{name}}/static/pkg/{{lib}}.js";

await init({ module_or_path: new URL("/modules/{{name}}/static/pkg/{{lib}}_bg.wasm", import.meta.url) });

// The Overlord's bundle: loads its Leptos WASM, whose start function registers the
// components. `import()` of this bundle settles once the await below has. Both
// paths resolve against this file's URL, so the bundle also works from a dev server.
import init from "/modules/overlord/static/pkg/overlord.js";

await init({
  module_or_path: new URL("/modules/overlord/static/pkg/overlord_bg.wasm", import.meta.url),
});

// The calls docs/modules.md shows module authors, type-checked against the SDK's
// definitions (`cargo xtask test` runs `tsc -p tsconfig.types.json`): an example
// the definitions reject is a broken promise of the guide.
import type { GantryComponent, GantryContext, GantryModuleRegistration } from "../../gantry-sdk/frontend/gantry-browser";

export async function guideExamples(ctx: GantryContext): Promise<void> {
  // §8: toasts and confirmations, with only the fields the guide sets.
  ctx.events.emit("toast", { message: "Bookmark saved", kind: "success" });
  ctx.events.emit("toast", { message: "Sync failed: the feed did not answer", kind: "error", timeout_ms: 0 });
  ctx.events.emit("toast", { message: "Saved" });
  const sure: boolean = await ctx.events.emit("confirm", { message: "Delete this bookmark?", confirm_label: "Delete", danger: true });
  const plain: boolean = await ctx.events.emit("confirm", { message: "Really?" });
  const stop = ctx.events.on("theme", (detail) => console.log(detail.theme));
  stop();

  // §9: the API client, with and without its toast.
  const items = await ctx.api.get<{ id: number }[]>("/items");
  await ctx.api.post("/items", { url: "https://example.com", title: "Example" });
  await ctx.api.put(`/items/${items[0]?.id}`, { title: "Changed" });
  await ctx.api.patch(`/items/1`, { title: "Changed" }, { toast: false });
  await ctx.api.delete(`/items/1`);
  try {
    await ctx.api.get("/items/9", { toast: false });
  } catch (error) {
    const failure = error as import("../../gantry-sdk/frontend/gantry-browser").GantryApiError;
    console.log(failure.status, failure.code, failure.field, failure.message, sure, plain);
  }

  // §5: module storage.
  await ctx.storage.user.set("layout", { columns: 2 });
  const layout = await ctx.storage.user.get<{ columns: number }>("layout");
  console.log(layout?.columns, await ctx.storage.instance.list());
}

const Items: GantryComponent = (element, ctx) => {
  element.textContent = ctx.user?.name ?? "";
  return () => {};
};

export const registration: GantryModuleRegistration = { abi: 1, components: { Items } };

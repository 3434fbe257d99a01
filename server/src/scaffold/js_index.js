// {{display}}: its components, registered for Gantry. Plain JavaScript, no build step.
// The context gives the module's API client (`ctx.api`), the EventBus (`ctx.events`),
// the user and the theme; style with the host's classes and `--gantry-*` tokens.

function Items(element, ctx) {
  const list = document.createElement("ul");
  const form = document.createElement("form");
  form.className = "card form-grid";
  form.innerHTML = `
    <h2>New item</h2>
    <label class="field"><span>Title</span><input name="title" required></label>
    <label class="field"><span>Notes</span><textarea name="notes" rows="3"></textarea></label>
    <div class="button-row"><button type="submit" class="button button-primary">Add</button></div>`;

  async function load() {
    const page = await ctx.api.get("/collections/items");
    list.replaceChildren(
      ...page.items.map((item) => {
        const li = document.createElement("li");
        li.dataset.item = item.title;
        li.textContent = item.notes ? `${item.title}: ${item.notes}` : item.title;
        return li;
      }),
    );
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    try {
      await ctx.api.post("/collections/items", data);
      ctx.events.emit("toast", { message: `Added “${data.title}”.`, kind: "success" });
      form.reset();
      load();
    } catch (_) {
      // The API client has shown the error as a toast.
    }
  });

  const greeting = document.createElement("p");
  greeting.className = "lede";
  greeting.textContent = `Hello ${ctx.user?.name ?? "there"}, from {{display}}.`;
  element.replaceChildren(greeting, form, list);
  load();
}

window.__GANTRY_MODULES__ ??= {};
window.__GANTRY_MODULES__["{{name}}"] = { abi: 1, components: { Items } };

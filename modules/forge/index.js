// Forge Templates: plain JavaScript, no build step. It uses only the public contract:
// the registry, the mount context (`api`, `events`, `user`), and the host's design
// tokens and CSS classes. Its data is the host-served collection `templates`.

const TEMPLATES = "/collections/templates";

/** `{{name}}` placeholders of `body`, each once, in order of appearance. */
export function placeholders(body) {
  const names = [];
  for (const match of body.matchAll(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g)) {
    if (!names.includes(match[1])) names.push(match[1]);
  }
  return names;
}

/** `body` with each placeholder replaced by its value (left as is when empty). */
export function fill(body, values) {
  return body.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (whole, name) => values[name] || whole);
}

/** Creates an element: `h("p", { class: "lede" }, "text", child)`. */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else if (value !== false && value != null) element.setAttribute(key, value === true ? "" : value);
  }
  element.append(...children.flat().filter((c) => c != null));
  return element;
}

function field(label, input) {
  return h("label", { class: "field" }, h("span", {}, label), input);
}

/** Browse: search the templates, open one, fill in its placeholders, copy the result. */
function Browse(element, ctx) {
  let searchTimer;
  const list = h("div", { "data-list": "templates" }, h("p", { class: "loading", role: "status" }, "Loading templates…"));
  const detail = h("div", { "data-detail": "" });
  const search = h("input", {
    type: "search",
    name: "q",
    placeholder: "name, language, words in the body",
    oninput: () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(load, 200);
    },
  });

  async function load() {
    const q = search.value.trim();
    try {
      const page = await ctx.api.get(`${TEMPLATES}?q=${encodeURIComponent(q)}&per_page=100`);
      list.replaceChildren(
        page.items.length === 0
          ? h("div", { class: "empty-state" }, h("p", {}, q ? "No template matches." : "No templates yet."))
          : h(
              "ul",
              { class: "forge-list" },
              page.items.map((t) =>
                h(
                  "li",
                  {},
                  h("button", { type: "button", class: "button", "data-template": t.name, onclick: () => open(t) }, t.name),
                  " ",
                  t.language ? h("span", { class: "badge" }, t.language) : null,
                  " ",
                  h("small", {}, t.description ?? ""),
                ),
              ),
            ),
      );
    } catch (error) {
      list.replaceChildren(h("p", { class: "form-error", role: "alert" }, `Cannot list templates: ${error.message}`));
    }
  }

  function open(template) {
    const values = {};
    const output = h("pre", { class: "forge-output", "data-output": "" }, template.body);
    const render = () => (output.textContent = fill(template.body, values));
    const inputs = placeholders(template.body).map((name) =>
      field(
        name,
        h("input", {
          name,
          oninput: (event) => {
            values[name] = event.target.value;
            render();
          },
        }),
      ),
    );
    const copy = h("button", {
      type: "button",
      class: "button",
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(output.textContent);
          ctx.events.emit("toast", { message: `Copied “${template.name}”.`, kind: "success" });
        } catch (_) {
          ctx.events.emit("toast", { message: "The browser refused the clipboard; select the text instead.", kind: "warning" });
        }
      },
    }, "Copy");
    detail.replaceChildren(
      h(
        "div",
        { class: "card form-grid", "data-open": template.name },
        h("h2", {}, template.name),
        template.description ? h("p", {}, template.description) : null,
        inputs.length ? inputs : h("p", {}, "This template has no placeholders."),
        output,
        h("div", { class: "button-row" }, copy),
      ),
    );
  }

  element.replaceChildren(
    h("form", { class: "filters", onsubmit: (e) => e.preventDefault() }, field("Search", search)),
    list,
    detail,
  );
  load();
  return () => clearTimeout(searchTimer);
}

/** Editor (administrators): create, edit and delete templates. */
function Editor(element, ctx) {
  let editing = null;
  const inputs = {
    name: h("input", { name: "name", required: true }),
    description: h("input", { name: "description" }),
    language: h("input", { name: "language", placeholder: "markdown, sql, rust…" }),
    body: h("textarea", { name: "body", rows: "8", required: true, placeholder: "Text with {{placeholders}}" }),
  };
  const title = h("h2", {}, "New template");
  const submit = h("button", { type: "submit", class: "button button-primary" }, "Create template");
  const cancel = h("button", { type: "button", class: "button", hidden: true, onclick: () => reset() }, "Cancel");
  const list = h("div", { "data-list": "editor" });

  function reset() {
    editing = null;
    for (const input of Object.values(inputs)) input.value = "";
    title.textContent = "New template";
    submit.textContent = "Create template";
    cancel.hidden = true;
  }

  function edit(template) {
    editing = template;
    for (const [name, input] of Object.entries(inputs)) input.value = template[name] ?? "";
    title.textContent = `Edit “${template.name}”`;
    submit.textContent = "Save changes";
    cancel.hidden = false;
  }

  async function remove(template) {
    const sure = await ctx.events.emit("confirm", {
      message: `Delete the template “${template.name}”?`,
      confirm_label: "Delete",
      danger: true,
    });
    if (!sure) return;
    try {
      await ctx.api.delete(`${TEMPLATES}/${template.id}`);
      ctx.events.emit("toast", { message: `Deleted “${template.name}”.`, kind: "success" });
      if (editing?.id === template.id) reset();
      load();
    } catch (_) {
      // The API client has shown the error.
    }
  }

  async function save(event) {
    event.preventDefault();
    const body = Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, input.value]));
    try {
      const saved = editing
        ? await ctx.api.put(`${TEMPLATES}/${editing.id}`, body)
        : await ctx.api.post(TEMPLATES, body);
      ctx.events.emit("toast", { message: `Saved “${saved.name}”.`, kind: "success" });
      reset();
      load();
    } catch (_) {
      // The API client has shown the error; the form keeps what was typed.
    }
  }

  async function load() {
    try {
      const page = await ctx.api.get(`${TEMPLATES}?per_page=200`);
      list.replaceChildren(
        h(
          "table",
          { class: "table", "data-table": "templates" },
          h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Language"), h("th", {}, "Placeholders"), h("th", {}))),
          h(
            "tbody",
            {},
            page.items.map((t) =>
              h(
                "tr",
                { "data-template": t.name },
                h("td", {}, t.name),
                h("td", {}, t.language ?? ""),
                h("td", {}, placeholders(t.body).join(", ")),
                h(
                  "td",
                  { class: "row-actions" },
                  h("button", { type: "button", class: "button", onclick: () => edit(t) }, "Edit"),
                  h("button", { type: "button", class: "button button-danger", onclick: () => remove(t) }, "Delete"),
                ),
              ),
            ),
          ),
        ),
      );
    } catch (error) {
      list.replaceChildren(h("p", { class: "form-error", role: "alert" }, `Cannot list templates: ${error.message}`));
    }
  }

  element.replaceChildren(
    h(
      "form",
      { class: "card form-grid", "data-form": "template", onsubmit: save },
      title,
      field("Name", inputs.name),
      field("Description", inputs.description),
      field("Language", inputs.language),
      field("Body", inputs.body),
      h("div", { class: "button-row" }, submit, cancel),
    ),
    list,
  );
  load();
}

window.__GANTRY_MODULES__ ??= {};
window.__GANTRY_MODULES__.forge = { abi: 1, components: { Browse, Editor } };

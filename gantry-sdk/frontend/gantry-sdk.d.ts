// Generated from the Rust types in gantry-sdk: do not edit by hand.
// Regenerate: GANTRY_UPDATE_TS=1 cargo test -p gantry-sdk typescript

/** The browser contract version modules register with (`abi` in the registry). */
export type BrowserAbi = 1;

/**
 * Everything a module declares that is plain data: identity, sidebar entries, tabs
 * and frontend files. The backend parts (router, migrations, hooks) live on
 * `Module` (feature `server`).
 */
export type ModuleManifest = { 
/**
 * Machine name: lowercase letters, digits and `-`, starting with a letter.
 */
name: string, 
/**
 * Human name, e.g. "Atom Overlord".
 */
display_name: string, 
/**
 * The module's own version, semver.
 */
version: string, 
/**
 * One sentence on what the module does.
 */
description: string, 
/**
 * Where the module's API is mounted: always `/api/modules/<name>`.
 */
router_prefix: string, 
/**
 * Sidebar entries.
 */
nav_items: Array<NavItem>, 
/**
 * Tabs of the module's page, or of host pages.
 */
tabs: Array<Tab>, 
/**
 * Path of the ES-module bundle, relative to the module's folder.
 */
frontend_bundle: string | null, 
/**
 * Folder of static files, relative to the module's folder.
 */
static_dir: string | null, 
/**
 * The Gantry versions the module supports, as a semver range (e.g. `>=0.1, <0.3`).
 */
host_version: string | null, 
/**
 * Tables the host serves as JSON at `/api/modules/<name>/collections/<collection>`.
 */
collections?: Array<Collection>, 
/**
 * Settings the host renders as a form, checks, stores and hands to the module.
 */
settings?: Array<Setting>, 
/**
 * Modules this one needs, by name, each with the semver range of versions it
 * works with (`depends = { overlord = ">=0.1, <0.2" }`). The host starts them
 * first and refuses this module without them.
 */
depends?: { [key in string]: string }, 
/**
 * Tools Chat's model may call, at `/api/modules/<name>/tools/<tool>`.
 */
tools?: Array<Tool>, };

/**
 * One module as `GET /api/modules` describes it to the browser, already filtered
 * for the user asking.
 */
export type ModuleInfo = { 
/**
 * Machine name.
 */
name: string, 
/**
 * Human name.
 */
display_name: string, 
/**
 * The module's version.
 */
version: string, 
/**
 * What the module does.
 */
description: string, 
/**
 * Sidebar entries the user may see.
 */
nav_items: Array<NavItem>, 
/**
 * Tabs the user may see.
 */
tabs: Array<Tab>, 
/**
 * URL of the bundle, with its content hash (`…/bundle.js?v=<hash>`), or null.
 */
frontend_bundle: string | null, 
/**
 * The settings the user may set: their own, and for administrators the
 * instance-wide ones (the host renders a form for each scope).
 */
settings?: Array<Setting>, 
/**
 * The tools the user may call (admin-only ones for administrators alone).
 */
tools?: Array<Tool>, };

/**
 * One entry of the sidebar.
 */
export type NavItem = { 
/**
 * Identifier, unique among the entries of one owner (the host or a module).
 */
id: string, 
/**
 * What the sidebar shows.
 */
label: string, 
/**
 * Name of an icon from the shared icon set, if any.
 */
icon: string | null, 
/**
 * Path the entry leads to, e.g. `/settings`.
 */
route: string, 
/**
 * Position in the sidebar: lower comes first.
 */
order: number, 
/**
 * Shown to administrators only (and refused to others by the server).
 */
requires_admin: boolean, 
/**
 * Name of the component in the module's frontend bundle that renders the page;
 * empty when the page is the module's tabs (or a host page).
 */
frontend_component: string, };

/**
 * A tab a module contributes.
 */
export type Tab = { 
/**
 * Identifier, unique within the module; part of the tab's URL.
 */
id: string, 
/**
 * What the tab strip shows.
 */
label: string, 
/**
 * Name of an icon from the shared icon set, if any.
 */
icon: string | null, 
/**
 * Position among the tabs: lower comes first.
 */
order: number, 
/**
 * Shown to administrators only (and refused to others by the server).
 */
requires_admin: boolean, 
/**
 * Name of the component in the module's frontend bundle that renders the tab.
 */
frontend_component: string, 
/**
 * The host page the tab appears in; `None` for the module's own page.
 */
section: TabSection | null, };

/**
 * Which host page a tab belongs in, instead of the module's own page.
 */
export type TabSection = "admin" | "settings";

/**
 * Who is making the request: given to module handlers (as an axum extractor, with
 * the `server` feature) and to module components in the browser.
 */
export type CurrentUser = { 
/**
 * Stable identifier of the account.
 */
id: string, 
/**
 * Name to show.
 */
name: string, 
/**
 * Whether the user is an administrator.
 */
is_admin: boolean, };

/**
 * An event on the bus: its `type` and its `detail`.
 */
export type GantryEvent = { "type": "toast", "detail": Toast } | { "type": "confirm", "detail": Confirm } | { "type": "theme", "detail": ThemeChange };

/**
 * A short message the host shows in its toast stack.
 */
export type Toast = { 
/**
 * What to say.
 */
message: string, 
/**
 * How it looks; `info` when absent.
 */
kind?: ToastKind, 
/**
 * Milliseconds before it goes away by itself; the host's default when absent,
 * `0` to stay until dismissed.
 */
timeout_ms?: number, };

/**
 * The look of a toast.
 */
export type ToastKind = "success" | "info" | "warning" | "error";

/**
 * A question the host asks in a modal dialog.
 */
export type Confirm = { 
/**
 * The question.
 */
message: string, 
/**
 * Label of the confirming button; "Confirm" when absent.
 */
confirm_label?: string, 
/**
 * Label of the cancelling button; "Cancel" when absent.
 */
cancel_label?: string, 
/**
 * Styles the confirming button as destructive.
 */
danger?: boolean, };

/**
 * The theme now shown.
 */
export type ThemeChange = { 
/**
 * `light` or `dark`.
 */
theme: string, };

/**
 * One discovered module as an administrator sees it.
 */
export type ModuleStatus = { name: string, 
/**
 * Empty when the manifest could not be read.
 */
display_name: string, 
/**
 * `?` when the manifest could not be read.
 */
version: string, source: ModuleSource, state: ModuleState, 
/**
 * Why the module is not running, when it is not.
 */
error: ModuleFailure | null, timings: ModuleTimings, 
/**
 * Where its API is mounted.
 */
router_prefix: string, 
/**
 * The sidecar its API is proxied to, if any.
 */
proxy: string | null, nav_items: Array<NavItem>, tabs: Array<Tab>, bundle: BundleStatus | null, migrations: Array<MigrationState>, 
/**
 * The tables the host serves as JSON for it.
 */
collections: Array<Collection>, 
/**
 * The modules it needs, with the version ranges it accepts.
 */
depends: { [key in string]: string }, };

/**
 * Where a module is in its life: discovered → migrating → starting → running, or
 * stopped at invalid, incompatible or failed, or turned off by an administrator
 * (disabled: its hooks have run their `on_shutdown`, its API answers 503 and it is
 * absent from `/api/modules` until enabled again).
 */
export type ModuleState = "discovered" | "invalid" | "incompatible" | "migrating" | "starting" | "running" | "failed" | "disabled";

/**
 * Where a module came from.
 */
export type ModuleSource = { "kind": "compiled_in" } | { "kind": "drop_in", folder: string, };

/**
 * The step a module stopped at.
 */
export type ModuleStep = "discovery" | "validation" | "dependencies" | "migration" | "startup" | "shutdown";

/**
 * Why and when a module stopped.
 */
export type ModuleFailure = { step: ModuleStep, 
/**
 * Names the module and the cause.
 */
message: string, 
/**
 * Milliseconds since the Unix epoch.
 */
at_unix_ms: number, };

/**
 * How long each start-up step took, in milliseconds.
 */
export type ModuleTimings = { discovery_ms: number, migrations_ms: number | null, startup_ms: number | null, };

/**
 * A module's bundle as served.
 */
export type BundleStatus = { url: string, size: number, 
/**
 * First 16 hex digits of the SHA-256 of the bundle.
 */
hash: string, };

/**
 * One migration and whether the database has it.
 */
export type MigrationState = { version: number, description: string, applied: boolean, };

/**
 * Facts about the running host.
 */
export type SystemInfo = { 
/**
 * Gantry's version.
 */
version: string, 
/**
 * `sqlite` or `postgres`.
 */
database: string, 
/**
 * The database's size on disk, when it could be measured.
 */
database_bytes: number | null, uptime_seconds: number, data_dir: string, modules_dir: string, 
/**
 * How the database keeps each module's migrations to the module's own tables,
 * or why it cannot here.
 */
module_boundary: string, 
/**
 * How the Knowledge Vault compares vectors: `sqlite-vec` (SQLite), or `exact`
 * (every stored vector compared, on PostgreSQL).
 */
vector_search: string, };

/**
 * A table served by the host as a JSON collection.
 *
 * The table must have an integer primary key `id` (`INTEGER PRIMARY KEY
 * AUTOINCREMENT` on SQLite, `BIGSERIAL PRIMARY KEY` on PostgreSQL), integer
 * `created_at` and `updated_at` columns (Unix seconds, set by the host), a text
 * `owner_id` column when `owner` is on (set by the host to the creating user's id),
 * and one column per field.
 */
export type Collection = { 
/**
 * Its name in URLs: lowercase letters, digits, `-` or `_`.
 */
name: string, 
/**
 * The module's table behind it (named `<module>_…`).
 */
table: string, 
/**
 * The columns a client reads and writes.
 */
fields: Array<CollectionField>, 
/**
 * Fields that may not be missing or blank.
 */
required: Array<string>, 
/**
 * Text fields `?q=` searches (every word must appear in one of them).
 */
search: Array<string>, 
/**
 * Whether items record the user who created them (column `owner_id`).
 */
owner?: boolean, 
/**
 * Who may create, update and delete, unless `create`, `update` or `delete`
 * says otherwise.
 */
write: CollectionAccess, 
/**
 * Who may list and read items (any user who may see the module when left out).
 */
read?: CollectionAccess, 
/**
 * Who may add items (`write` when left out).
 */
create?: CollectionAccess, 
/**
 * Who may change items (`write` when left out).
 */
update?: CollectionAccess, 
/**
 * Who may delete items (`write` when left out).
 */
delete?: CollectionAccess, };

/**
 * Who may do one thing (read, create, update or delete) to a collection's items.
 * Anything at all needs the right to see the module.
 */
export type CollectionAccess = "admin" | "user" | "owner";

/**
 * One field of a collection: a name alone (a text field), or a [`TypedField`].
 * In a manifest: `fields = ["title", { name = "done", type = "boolean" }]`.
 */
export type CollectionField = string | TypedField;

/**
 * A field with more than a name: its type, whether its values are unique, and the
 * allowed values of a `one_of` field.
 */
export type TypedField = { 
/**
 * The column's name.
 */
name: string, 
/**
 * Its values' type (text when left out).
 */
type: FieldType, 
/**
 * Whether no two items may hold the same value. The module's migration must
 * declare the `UNIQUE` constraint too; a clash is a 409 naming the field.
 */
unique?: boolean, 
/**
 * The values a `one_of` field may hold.
 */
values?: Array<string>, };

/**
 * The type of a field's values, checked on every write.
 */
export type FieldType = "text" | "integer" | "number" | "boolean" | "timestamp" | "url" | "one_of";

/**
 * A tool a module offers Chat's model.
 */
export type Tool = { 
/**
 * Its name: lowercase letters, digits and `_`, starting with a letter, at most
 * [`MAX_TOOL_NAME`] characters. The URL is `…/tools/<name>`.
 */
name: string, 
/**
 * What it does and when to use it, for the model (and the user, who sees it in
 * Chat's tool list).
 */
description: string, 
/**
 * A JSON Schema (`"type": "object"`) the arguments must match; no arguments when
 * left out. Not for collection tools, whose one argument is `query`.
 */
parameters?: Record<string, unknown>, 
/**
 * Only administrators may call it (and only their conversations offer it).
 */
requires_admin?: boolean, 
/**
 * It changes something: Chat asks the user before each call.
 */
confirm?: boolean, 
/**
 * A declared collection the host searches for this tool (read-only, with the
 * collection's read rule): the module needs no code for it.
 */
collection?: string, };

/**
 * One declared setting (`[[settings]]` in `gantry-module.toml`,
 * `ModuleBuilder::setting` in Rust).
 */
export type Setting = { 
/**
 * Lowercase letters, digits and `_`, starting with a letter; unique in the module.
 */
key: string, 
/**
 * The form's label.
 */
label: string, 
/**
 * A sentence under the field.
 */
help?: string, 
/**
 * The kind of value.
 */
type: SettingType, 
/**
 * Instance-wide (administrators) or per user.
 */
scope: SettingScope, 
/**
 * The value until one is saved (never for a secret).
 */
default?: unknown, 
/**
 * A value must be saved (or a default given) before the form saves.
 */
required?: boolean, 
/**
 * The smallest number allowed (`number`).
 */
min?: number, 
/**
 * The largest number allowed (`number`).
 */
max?: number, 
/**
 * A regular expression the whole text must match (`string`).
 */
pattern?: string, 
/**
 * The choices (`select`).
 */
options?: Array<string>, };

/**
 * The kind of a setting's value.
 */
export type SettingType = "string" | "number" | "bool" | "select" | "secret";

/**
 * Who sets a setting.
 */
export type SettingScope = "instance" | "user";

/**
 * One recorded action.
 */
export type AuditEntry = { id: number, 
/**
 * Seconds since the Unix epoch.
 */
at_unix: number, 
/**
 * The username who acted, `system` for the host itself, or the name tried at a
 * failed sign-in.
 */
actor: string, 
/**
 * What happened, as `noun.verb`: `login.succeeded`, `user.created`, …
 */
action: string, 
/**
 * What it happened to (a username, a module, a migration); may be empty.
 */
target: string, 
/**
 * The client's IP address, for actions made over HTTP.
 */
address: string | null, 
/**
 * The module that wrote the entry; `None` for the host's own.
 */
module: string | null, 
/**
 * More about it, in words. Never a password or a token.
 */
detail: string | null, };

/**
 * Which entries to read, newest first. Empty filters match everything.
 */
export type AuditQuery = { 
/**
 * Exact actor.
 */
actor: string | null, 
/**
 * An action, or its start (`login.` matches every sign-in action).
 */
action: string | null, 
/**
 * Exact module name; `host` for the host's own entries.
 */
module: string | null, 
/**
 * Entries at or after this time (Unix seconds).
 */
since_unix: number | null, 
/**
 * Entries before this time (Unix seconds).
 */
until_unix: number | null, 
/**
 * The page, from 0.
 */
page: number, 
/**
 * Entries per page: 1 to 200, 50 when 0.
 */
per_page: number, };

/**
 * A page of entries and how many match in all.
 */
export type AuditPage = { entries: Array<AuditEntry>, total: number, page: number, per_page: number, };

// The browser contract between the Gantry host and a module's ES-module bundle.
// The data types come from gantry-sdk.d.ts (generated from the Rust types); this file
// adds the functions around them. Contract version: BrowserAbi (1).
import type {
  BrowserAbi,
  Confirm,
  CurrentUser,
  ThemeChange,
  Toast,
} from "./gantry-sdk";

/** What each event type carries, and what emitting it returns. */
export interface GantryEventMap {
  toast: { detail: Toast; result: void };
  confirm: { detail: Confirm; result: Promise<boolean> };
  theme: { detail: ThemeChange; result: void };
}

/** The EventBus: `context.events`, also `window.gantryEvents`. */
export interface GantryEvents {
  /** Asks the host for a toast or a confirmation (which resolves to the answer). */
  emit<K extends keyof GantryEventMap>(
    type: K,
    detail: GantryEventMap[K]["detail"],
  ): GantryEventMap[K]["result"];
  /** Listens to host events (e.g. `theme`); returns the function that stops listening. */
  on<K extends keyof GantryEventMap>(
    type: K,
    listener: (detail: GantryEventMap[K]["detail"]) => void,
  ): () => void;
}

/** What the host hands a component when it mounts it; nothing else of the host is reachable. */
export interface GantryContext {
  /** The module's machine name. */
  module: string;
  /** Base URL of the module's API: `/api/modules/<name>`. */
  apiBase: string;
  /** A client for the module's API (paths relative to `apiBase`). */
  api: GantryApi;
  /** The values the host keeps for the module: the user's own, and instance-wide ones. */
  storage: GantryStorage;
  /** The module's declared settings, as saved or their defaults (secrets never). */
  settings: GantrySettings;
  /** The signed-in user (`null` only on a page nobody is signed in to). */
  user: CurrentUser | null;
  /** The theme shown now; changes arrive as `theme` events. */
  theme: "light" | "dark";
  /** The EventBus. */
  events: GantryEvents;
}

/**
 * Calls the module's API with the session. Resolves to the JSON answer (`null` for
 * none). A 401 sends the visitor to the login page; any other failure is shown as an
 * error toast worded for the person using the page (unless `{ toast: false }`) and
 * rejects with a `GantryApiError` carrying the server's message, `status`, `code`
 * and `field`.
 */
export interface GantryApi {
  get<T = unknown>(path: string, options?: GantryApiOptions): Promise<T>;
  post<T = unknown>(path: string, body?: unknown, options?: GantryApiOptions): Promise<T>;
  put<T = unknown>(path: string, body?: unknown, options?: GantryApiOptions): Promise<T>;
  patch<T = unknown>(path: string, body?: unknown, options?: GantryApiOptions): Promise<T>;
  delete(path: string, options?: GantryApiOptions): Promise<null>;
}

/** How one `api` call reports a failure. */
export interface GantryApiOptions {
  /**
   * `false`: no toast (the module shows the failure in place). Either way the call
   * rejects with a `GantryApiError` and the details go to the console.
   */
  toast?: boolean;
}

/** What a failed `api` call rejects with: the server's own words and what they concern. */
export interface GantryApiError extends Error {
  /** The HTTP status; `0` when the server could not be reached. */
  status: number;
  /** The `ApiError` code, such as `bad_request` or `conflict`. */
  code: string;
  /** The field the error names, if any. */
  field: string | null;
}

/**
 * Values kept by key, as JSON. Failures are toasts and rejections as with `api`;
 * a key with no value reads as `undefined`. Instance-wide values are written by
 * administrators only.
 */
export interface GantryStorageScope {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set<T = unknown>(key: string, value: T): Promise<T>;
  delete(key: string): Promise<void>;
  list(): Promise<{ key: string; value: unknown; updated_at: number }[]>;
}

/** `context.storage`: the signed-in user's own values and the instance-wide ones. */
export interface GantryStorage {
  user: GantryStorageScope;
  instance: GantryStorageScope;
}

/**
 * `context.settings`: the values of the settings the module declares (`[[settings]]`):
 * saved, else the default, else `null`. Secrets are never among them. A scope the
 * module declares nothing in reads as `{}`.
 */
export interface GantrySettings {
  /** The instance-wide values (set by administrators). */
  instance<T = Record<string, unknown>>(): Promise<T>;
  /** The signed-in user's own values. */
  user<T = Record<string, unknown>>(): Promise<T>;
}

/** Undoes a mount: remove listeners, timers and DOM the component added. */
export type Unmount = () => void;

/**
 * A component: a `mount` function, or an object with one. It renders into `element`
 * (which it owns) and returns its unmount function.
 */
export type GantryComponent =
  | ((element: HTMLElement, context: GantryContext) => Unmount | void)
  | { mount(element: HTMLElement, context: GantryContext): Unmount | void };

/** One module's entry in the registry. */
export interface GantryModuleRegistration {
  /** The contract version the module was built for. */
  abi: BrowserAbi;
  /** Components by the names the manifest's `frontend_component` fields use. */
  components: Record<string, GantryComponent>;
}

declare global {
  interface Window {
    /** The registry: a bundle adds `__GANTRY_MODULES__[<module name>]` when it loads. */
    __GANTRY_MODULES__?: Record<string, GantryModuleRegistration>;
    gantryEvents?: GantryEvents;
  }
}

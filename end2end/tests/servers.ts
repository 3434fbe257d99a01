// Where the two test servers listen (see playwright.config.ts).
export const adminURL = `http://${process.env.GANTRY_ADDR ?? "127.0.0.1:3100"}`;
export const userURL = `http://${process.env.GANTRY_USER_ADDR ?? "127.0.0.1:3101"}`;
/** A server with real accounts: no development user; its first administrator is `admin`. */
export const signInURL = `http://${process.env.GANTRY_SIGNIN_ADDR ?? "127.0.0.1:3102"}`;
export const adminPassword = "e2e admin password";
/** The test model server every Gantry test server is connected to (`--llm-url`). */
export const modelsPort = Number(process.env.GANTRY_MODELS_PORT ?? 3110);
export const modelsControlPort = Number(process.env.GANTRY_MODELS_CONTROL_PORT ?? 3111);
export const modelsURL = `http://127.0.0.1:${modelsPort}/v1`;
/** The test model server's control port (`/count/<key>` counts requests). */
export const modelsControlURL = `http://127.0.0.1:${modelsControlPort}`;
/** A second model server the tests take down and bring back (through its control port). */
export const flakyModelsPort = Number(process.env.GANTRY_FLAKY_MODELS_PORT ?? 3112);
export const flakyModelsControlPort = Number(process.env.GANTRY_FLAKY_MODELS_CONTROL_PORT ?? 3113);
export const flakyModelsURL = `http://127.0.0.1:${flakyModelsPort}/v1`;
export const flakyModelsControlURL = `http://127.0.0.1:${flakyModelsControlPort}`;
/**
 * The same as `signInURL`, but on PostgreSQL (`GANTRY_POSTGRES_URL`, started by `cargo
 * xtask test`) and scaled out: two instances on the one database, `postgresAURL` and
 * `postgresBURL`, with a round-robin proxy in front at `postgresURL`
 * (`round-robin-proxy.mjs`), each request to the next instance.
 */
export const postgresAURL = `http://${process.env.GANTRY_POSTGRES_ADDR ?? "127.0.0.1:3103"}`;
export const postgresBURL = `http://${process.env.GANTRY_POSTGRES_B_ADDR ?? "127.0.0.1:3104"}`;
export const postgresURL = `http://${process.env.GANTRY_PROXY_ADDR ?? "127.0.0.1:3105"}`;

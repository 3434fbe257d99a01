// Where the two test servers listen (see playwright.config.ts).
export const adminURL = `http://${process.env.GANTRY_ADDR ?? "127.0.0.1:3100"}`;
export const userURL = `http://${process.env.GANTRY_USER_ADDR ?? "127.0.0.1:3101"}`;
/** A server with real accounts: no development user; its first administrator is `admin`. */
export const signInURL = `http://${process.env.GANTRY_SIGNIN_ADDR ?? "127.0.0.1:3102"}`;
export const adminPassword = "e2e admin password";
/** The same as `signInURL`, but on PostgreSQL (`GANTRY_POSTGRES_URL`, started by `cargo xtask test`). */
export const postgresURL = `http://${process.env.GANTRY_POSTGRES_ADDR ?? "127.0.0.1:3103"}`;

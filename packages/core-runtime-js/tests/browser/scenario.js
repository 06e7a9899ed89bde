// Steps the browser test drives through `page.evaluate`: the built package (dist/) against a real mozaiks-core.
// Every function returns plain JSON for the Python side to assert on; none of them asserts by itself.
import { createClient, decodeJwtPayload, MozaiksError } from "../../dist/index.js";

const KEY = "mozaiks.auth";
const PASSWORD = "a long passphrase";

/** What this tab sent, as "METHOD /path" (statuses too), so the test can count refreshes per tab. */
export const calls = [];
let client;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** This tab's client; `delayRefreshMs` holds each refresh back (to keep the cross-tab lock busy). */
export function open(baseUrl, delayRefreshMs = 0) {
  client = createClient({
    baseUrl,
    fetch: async (url, init) => {
      const path = new URL(url).pathname;
      if (path === "/api/auth/refresh" && delayRefreshMs > 0) await sleep(delayRefreshMs);
      const response = await fetch(url, init);
      calls.push(`${init?.method ?? "GET"} ${path} ${response.status}`);
      return response;
    },
  });
  return { locks: typeof navigator.locks?.request === "function" };
}

function describe(error) {
  return {
    name: error?.name,
    message: String(error?.message ?? error),
    status: error?.status ?? null,
    mozaiks: error instanceof MozaiksError,
  };
}

const stored = () => JSON.parse(localStorage.getItem(KEY) ?? "null");

/** Overwrite the stored access token (the client re-reads storage before each request). */
function replaceAccessToken(token) {
  localStorage.setItem(KEY, JSON.stringify({ ...stored(), accessToken: token }));
}

/** An unsigned JWT: the server refuses it, the client only reads its `exp`. */
function unsignedJwt(payload) {
  const b64 = (value) => btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `${b64({ alg: "HS256", typ: "JWT" })}.${b64(payload)}.forged`;
}

/** Sign-up → logout → login → me → tasks → workflow, as a generated frontend does it. */
export async function journey(email) {
  const out = { events: [] };
  client.auth.onChange((change) => out.events.push(change.event));
  out.signup = await client.auth.signup({ email, password: PASSWORD });
  out.storedAfterSignup = stored() !== null;
  await client.auth.logout();
  out.storedAfterLogout = localStorage.getItem(KEY);
  out.meSignedOut = await client.auth.currentUser();
  out.tasksSignedOut = await client.api.get("/api/tasks").then(() => null, describe);
  out.login = await client.auth.login({ email, password: PASSWORD });
  out.wrongPassword = await client.auth.login({ email, password: "not the password" }).then(() => null, describe);
  out.me = await client.auth.currentUser();
  out.accessExp = decodeJwtPayload(await client.auth.getAccessToken())?.exp ?? null;
  out.created = [
    await client.api.post("/api/tasks", { title: "write the spec" }),
    await client.api.post("/api/tasks", { title: "ship the client" }),
  ];
  out.listed = await client.api.get("/api/tasks");
  out.run = await client.workflowClient.execute({ workflow: "hello-world", data: { name: "Ada" } });
  out.notAllowed = await client.workflowClient.execute({ workflow: "email-automation", data: {} }).then(
    () => null,
    describe,
  );
  out.badInput = await client.api.post("/api/tasks", [1, 2]).then(() => null, describe);
  return out;
}

/** A token the server refuses: 401 → one refresh → the request retried with the new token. */
export async function rejectedToken() {
  const before = stored();
  const [header, payload] = before.accessToken.split(".");
  replaceAccessToken(`${header}.${payload}.bm90LXRoZS1zaWduYXR1cmU`);
  const start = calls.length;
  const listed = await client.api.get("/api/tasks");
  return {
    titles: listed.tasks.map((t) => t.title),
    calls: calls.slice(start),
    rotated: stored().refreshToken !== before.refreshToken,
  };
}

/** A token that says it expired: refreshed before the request is sent. */
export async function expiredToken() {
  const before = stored();
  replaceAccessToken(unsignedJwt({ sub: before.user.id, exp: Math.floor(Date.now() / 1000) - 60 }));
  const start = calls.length;
  const me = await client.auth.currentUser();
  return { me, calls: calls.slice(start), rotated: stored().refreshToken !== before.refreshToken };
}

/** Five requests refused at once share one refresh. */
export async function concurrentRejections() {
  const [header, payload] = stored().accessToken.split(".");
  replaceAccessToken(`${header}.${payload}.c3RpbGwtbm90LWl0`);
  const start = calls.length;
  const answers = await Promise.all([1, 2, 3, 4, 5].map(() => client.api.get("/api/tasks")));
  const sent = calls.slice(start);
  return {
    ok: answers.every((a) => a.tasks.length === 2),
    refreshes: sent.filter((c) => c.startsWith("POST /api/auth/refresh")).length,
    refused: sent.filter((c) => c === "GET /api/tasks 401").length,
  };
}

/** Make the stored access token look expired, so the next call in any tab refreshes first. */
export function expireStoredToken() {
  const before = stored();
  replaceAccessToken(unsignedJwt({ sub: before.user.id, exp: Math.floor(Date.now() / 1000) - 60 }));
  return before.refreshToken;
}

let pending = null;

/** Start getting a token without waiting (so two tabs can race). */
export function startGetToken() {
  const start = calls.length;
  pending = client.auth.getAccessToken().then(
    (token) => ({ token, calls: calls.slice(start) }),
    (error) => ({ error: describe(error), calls: calls.slice(start) }),
  );
  return true;
}

/** The result of {@link startGetToken}, and whether the token works. */
export async function finishGetToken() {
  const result = await pending;
  result.listed = await client.api.get("/api/tasks").then((l) => l.tasks.length, describe);
  result.stored = stored()?.accessToken ?? null;
  return result;
}

/** A refresh token the server does not know: the session ends and the request fails as AuthError. */
export async function revokedSession() {
  const events = [];
  client.auth.onChange((change) => events.push(change.event));
  localStorage.setItem(
    KEY,
    JSON.stringify({ ...stored(), accessToken: "not-a-jwt", refreshToken: "r".repeat(43) }),
  );
  const error = await client.api.get("/api/tasks").then(() => null, describe);
  return { error, stored: localStorage.getItem(KEY), user: client.auth.user, events };
}

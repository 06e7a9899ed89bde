/**
 * Reading the expiry of an access token.
 *
 * The signature is not checked here: the server checks it on every request. The client only needs `exp` to
 * refresh a token before it is refused.
 *
 * @module
 */

function base64UrlDecode(segment: string): string {
  const base64 = segment.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The payload of a JWT, or `null` if `token` is not one. */
export function decodeJwtPayload(token: string): Record<string, unknown> | null {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[1] === undefined || parts[1] === "") return null;
  try {
    const payload: unknown = JSON.parse(base64UrlDecode(parts[1]));
    return typeof payload === "object" && payload !== null && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** The `exp` claim of a JWT in Unix seconds, or `null` when there is none or `token` is not a JWT. */
export function tokenExpiry(token: string): number | null {
  const exp = decodeJwtPayload(token)?.["exp"];
  return typeof exp === "number" && Number.isFinite(exp) ? exp : null;
}

/**
 * Whether `token` expires within `marginSeconds` of `nowMs`.
 *
 * Tokens without a readable `exp` count as fresh: the server decides, and a 401 still triggers a refresh.
 */
export function expiresSoon(token: string, nowMs: number, marginSeconds: number): boolean {
  const exp = tokenExpiry(token);
  return exp !== null && exp * 1000 - nowMs <= marginSeconds * 1000;
}

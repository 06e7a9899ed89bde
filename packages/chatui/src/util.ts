/** Small pure helpers: ids, sizes, values, URLs. */

/** A random id (hex). Uses `crypto.getRandomValues`, which also works on plain-HTTP pages. */
export function randomId(bytes = 12): string {
  const data = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(data);
  return Array.from(data, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** `1536` → `"1.5 KB"`. */
export function formatBytes(size: number): string {
  if (!Number.isFinite(size) || size < 0) return "";
  if (size < 1024) return `${size} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = size / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** A value as text for the transcript: strings as they are, anything else as indented JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A value on one short line (strings as they are, others as JSON; whitespace squeezed), cut with `…`. */
export function preview(value: unknown, limit = 80): string {
  if (value === undefined) return "";
  let text: string;
  if (typeof value === "string") text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  text = text.replace(/\s+/g, " ").trim();
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/** `http://h:8080/` → `ws://h:8080/api/chat?token=…` (browsers cannot send headers on a WebSocket). */
export function chatSocketUrl(baseUrl: string, token: string | null): string {
  const url = new URL("/api/chat", baseUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  if (token) url.searchParams.set("token", token);
  return url.toString();
}

/** Remove a trailing slash: `http://h:8080/` → `http://h:8080`. */
export function normalizeBaseUrl(url: string): string {
  return url.replace(/\/+$/, "");
}

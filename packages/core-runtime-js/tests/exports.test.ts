import { describe, expect, it } from "vitest";
import * as root from "../src/index.js";
import * as react from "../src/react.js";
import { newIdempotencyKey } from "../src/ids.js";

describe("public API", () => {
  it("exports exactly these runtime names from the root entry", () => {
    expect(Object.keys(root).sort()).toEqual([
      "ApiClient",
      "ApiError",
      "Auth",
      "AuthError",
      "ConflictError",
      "MemoryStorage",
      "MozaiksError",
      "MozaiksMarketing",
      "MozaiksPay",
      "NetworkError",
      "NotFoundError",
      "RateLimitedError",
      "ValidationError",
      "WorkflowClient",
      "createClient",
      "decodeJwtPayload",
      "tokenExpiry",
    ]);
  });

  it("exports the provider and hooks from ./react", () => {
    expect(Object.keys(react).sort()).toEqual([
      "MozaiksProvider",
      "useAuth",
      "useMozaiks",
      "useMutation",
      "useQuery",
    ]);
  });

  it("reads JWT payloads without checking signatures", () => {
    const token = `e30.${btoa(JSON.stringify({ exp: 123, sub: "u1" })).replace(/=+$/, "")}.sig`;
    expect(root.tokenExpiry(token)).toBe(123);
    expect(root.decodeJwtPayload(token)).toEqual({ exp: 123, sub: "u1" });
    expect(root.tokenExpiry("not-a-jwt")).toBeNull();
    expect(root.decodeJwtPayload("a.!!!.c")).toBeNull();
    expect(root.decodeJwtPayload(`a.${btoa("[1]")}.c`)).toBeNull();
  });

  it("builds v4 UUIDs when crypto.randomUUID is missing", () => {
    const original = globalThis.crypto.randomUUID;
    try {
      Object.defineProperty(globalThis.crypto, "randomUUID", { value: undefined, configurable: true });
      expect(newIdempotencyKey()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    } finally {
      Object.defineProperty(globalThis.crypto, "randomUUID", { value: original, configurable: true });
    }
  });
});

import { describe, expect, it } from "vitest";
import { chatSocketUrl, formatBytes, formatValue, normalizeBaseUrl, randomId } from "../src/util";

describe("util", () => {
  it("builds the chat socket URL with the token as a query parameter", () => {
    expect(chatSocketUrl("http://127.0.0.1:8080", null)).toBe("ws://127.0.0.1:8080/api/chat");
    expect(chatSocketUrl("https://ai.example.com/", "a b&c")).toBe("wss://ai.example.com/api/chat?token=a+b%26c");
  });

  it("formats sizes and values", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5.0 MB");
    expect(formatBytes(200 * 1024)).toBe("200 KB");
    expect(formatValue("text")).toBe("text");
    expect(formatValue({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(formatValue(undefined)).toBe("");
  });

  it("makes random hex ids and trims base URLs", () => {
    const a = randomId(8);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(randomId(8)).not.toBe(a);
    expect(normalizeBaseUrl("http://h:1//")).toBe("http://h:1");
  });
});

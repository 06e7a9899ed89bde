import { describe, expect, it } from "vitest";
import { backoffDelay, DEFAULT_BACKOFF } from "../src/backoff";

describe("reconnect backoff", () => {
  const none = () => 1; // the top of the jitter range: the full delay
  const least = () => 0;

  it("grows exponentially from the initial delay", () => {
    const options = { initialMs: 500, maxMs: 60_000, factor: 2, jitter: 0.5 };
    expect([0, 1, 2, 3, 4].map((n) => backoffDelay(n, options, none))).toEqual([500, 1000, 2000, 4000, 8000]);
  });

  it("is capped", () => {
    expect(backoffDelay(30, DEFAULT_BACKOFF, none)).toBe(DEFAULT_BACKOFF.maxMs);
    expect(backoffDelay(10_000, DEFAULT_BACKOFF, none)).toBe(DEFAULT_BACKOFF.maxMs);
  });

  it("jitters within [delay × (1 − jitter), delay]", () => {
    expect(backoffDelay(2, DEFAULT_BACKOFF, least)).toBe(1000);
    expect(backoffDelay(2, DEFAULT_BACKOFF, () => 0.5)).toBe(1500);
    for (let i = 0; i < 200; i += 1) {
      const delay = backoffDelay(3, DEFAULT_BACKOFF);
      expect(delay).toBeGreaterThanOrEqual(2000);
      expect(delay).toBeLessThanOrEqual(4000);
    }
  });

  it("treats odd attempts and options safely", () => {
    expect(backoffDelay(-3, DEFAULT_BACKOFF, none)).toBe(500);
    expect(backoffDelay(Number.NaN, DEFAULT_BACKOFF, none)).toBe(500);
    expect(backoffDelay(1, { ...DEFAULT_BACKOFF, jitter: 0 }, least)).toBe(1000);
    expect(backoffDelay(1, { ...DEFAULT_BACKOFF, jitter: 5 }, least)).toBe(0);
  });
});

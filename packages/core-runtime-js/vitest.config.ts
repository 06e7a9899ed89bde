import { defineConfig } from "vitest/config";

/** Unit tests run in Node with fake `fetch`, storage and locks; the React hook tests opt into happy-dom per file. */
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts", "tests/**/*.test.tsx"],
    environment: "node",
  },
});

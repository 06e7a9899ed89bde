import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/**
 * Two builds write into the Python package, which serves them:
 *
 * - `vite build`               → the full page: `index.html` (served at `/`) + `assets/*` (under `/chatui/`).
 * - `vite build --mode widget` → `widget.js`, one self-contained IIFE script for any page
 *                                (`<script src="…/chatui/widget.js" data-mozaiks-url="…">`).
 *
 * `npm run dev` serves the page with Vite and proxies the API to a local `mozaiks-ai serve` (port 8080).
 */
const outDir = fileURLToPath(new URL("../mozaiks-ai/mozaiks_ai/api/static/chatui", import.meta.url));
const apiTarget = process.env["MOZAIKS_AI_URL"] ?? "http://127.0.0.1:8080";

export default defineConfig(({ mode }) => {
  if (mode === "widget") {
    return {
      base: "/chatui/",
      publicDir: false,
      build: {
        outDir,
        emptyOutDir: false, // the page build ran first and owns the folder
        target: "es2022",
        sourcemap: false,
        lib: {
          entry: fileURLToPath(new URL("src/widget.ts", import.meta.url)),
          formats: ["iife"],
          name: "MozaiksChatWidget",
          fileName: () => "widget.js",
        },
      },
    };
  }
  return {
    base: "/chatui/",
    build: {
      outDir,
      emptyOutDir: true,
      target: "es2022",
      modulePreload: { polyfill: false },
      sourcemap: false,
    },
    server: {
      proxy: {
        "/api": { target: apiTarget, ws: true, changeOrigin: true },
        "/health": { target: apiTarget, changeOrigin: true },
      },
    },
  };
});

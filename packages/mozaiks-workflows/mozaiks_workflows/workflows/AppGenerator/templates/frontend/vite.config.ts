import react from "@vitejs/plugin-react";
import { defineConfig, loadEnv } from "vite";

// `npm run dev` and `npm run preview` forward /api to the backend, so the browser talks to one origin. The backend
// is BACKEND_URL, else VITE_API_URL, else http://127.0.0.1:8000 (from the environment or a .env file). Setting
// VITE_API_URL also makes the browser call that origin directly (list this site in the backend's
// MOZAIKS_CORS_ORIGINS then); BACKEND_URL only moves the proxy.
export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, ".", ["VITE_", "BACKEND_URL"]);
  const backend = env.BACKEND_URL || env.VITE_API_URL || "http://127.0.0.1:8000";
  const proxy = { "/api": { target: backend, changeOrigin: true } };
  return {
    plugins: [react()],
    server: { port: 5173, proxy },
    preview: { port: 4173, proxy },
  };
});

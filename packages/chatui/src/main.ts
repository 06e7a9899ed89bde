/** The full ChatUI page, served by mozaiks-ai at `/`. */

import "./page.css";
import "./styles.css";
import { ChatApp } from "./ui/app";

/** Take `?token=` from the URL (then drop it from the address bar and history). */
function tokenFromUrl(): string | null {
  const url = new URL(window.location.href);
  const token = url.searchParams.get("token");
  if (token === null) return null;
  url.searchParams.delete("token");
  window.history.replaceState(window.history.state, "", url.toString());
  return token;
}

const mount = document.getElementById("app") ?? document.body;
const token = tokenFromUrl();
const params = new URL(window.location.href).searchParams;
const app = new ChatApp(mount, {
  baseUrl: window.location.origin,
  token,
  layout: "page",
  workflow: params.get("workflow"),
  agent: params.get("agent"),
  rememberToken: true, // a reload keeps working after the token left the address bar
});
app.start();
app.focus();

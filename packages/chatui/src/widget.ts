/**
 * The embeddable widget: one script tag adds a floating chat button and panel to any page.
 *
 *   <script src="http://host:8080/chatui/widget.js" data-mozaiks-url="http://host:8080" data-token="…"></script>
 *
 * Attributes: `data-mozaiks-url` (default: where the script came from), `data-token`, `data-workflow`
 * (preselected workflow id), `data-agent` (preselected agent id, e.g. `ask`), `data-title`, `data-position`
 * (`right` | `left`), `data-open` (`true`: open on load). The page also gets `window.MozaiksChat` with `open()`,
 * `close()` and `toggle()`. The panel lives in a shadow root, so the page's CSS and ChatUI's do not affect each
 * other. The server must allow the page's origin for HTTP calls (`MOZAIKS_AI_CORS_ORIGINS`).
 */

import appCss from "./styles.css?inline";
import widgetCss from "./widget.css?inline";
import { h, icon, ICONS } from "./ui/dom";
import { ChatApp } from "./ui/app";

export interface MozaiksChatHandle {
  open(): void;
  close(): void;
  toggle(): void;
  readonly app: ChatApp;
}

declare global {
  interface Window {
    MozaiksChat?: MozaiksChatHandle;
  }
}

function install(script: HTMLScriptElement | null): void {
  if (window.MozaiksChat) return; // loaded twice
  const data = script?.dataset ?? {};
  let baseUrl = data["mozaiksUrl"] || "";
  if (!baseUrl && script?.src) baseUrl = new URL(script.src, window.location.href).origin;
  if (!baseUrl) baseUrl = window.location.origin;
  const title = data["title"] || "Chat";

  const host = document.createElement("div");
  host.id = "mozaiks-chat";
  if (data["position"] === "left") host.dataset["position"] = "left";
  const root = host.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = `${appCss}\n${widgetCss}`;

  const panel = h("div", { class: "mz-panel", id: "mz-panel", role: "dialog", "aria-label": title, hidden: true });
  const launcher = h(
    "button",
    {
      type: "button",
      class: "mz-launcher",
      "aria-label": "Open chat",
      "aria-expanded": "false",
      "aria-controls": "mz-panel",
    },
    icon(ICONS.chat),
  );
  const app = new ChatApp(panel, {
    baseUrl,
    token: data["token"] || null,
    layout: "widget",
    workflow: data["workflow"] || null,
    agent: data["agent"] || null,
    title,
    onClose: () => close(),
  });

  function open(): void {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", "Close chat");
    launcher.replaceChildren(icon(ICONS.close));
    app.start(); // connects on first open only: visitors who never chat open no socket
    app.focus();
  }

  function close(): void {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-label", "Open chat");
    launcher.replaceChildren(icon(ICONS.chat));
    launcher.focus();
  }

  function toggle(): void {
    if (panel.hidden) open();
    else close();
  }

  launcher.addEventListener("click", toggle);
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      close();
    }
  });
  root.append(style, panel, launcher);

  const attach = (): void => {
    document.body.appendChild(host);
    if (data["open"] === "true") open();
  };
  if (document.body) attach();
  else document.addEventListener("DOMContentLoaded", attach, { once: true });

  window.MozaiksChat = { open, close, toggle, app };
}

install(
  (document.currentScript as HTMLScriptElement | null) ??
    document.querySelector<HTMLScriptElement>("script[data-mozaiks-url]") ??
    document.querySelector<HTMLScriptElement>('script[src$="/chatui/widget.js"]'),
);

{%- set pages = vars.spec.pages -%}
{%- set kinds = pages | map(attribute="kind") | list -%}
{%- set listed = pages | selectattr("kind", "equalto", "list") | map(attribute="entity") | list -%}
import { MozaiksProvider, useAuth } from "@mozaiks/core-runtime/react";
import { type ReactNode, useEffect, useState } from "react";
import { client } from "./api";
{%- if "activity" in kinds %}
import { ActivityPage } from "./pages/ActivityPage";
{%- endif %}
{%- if "dashboard" in kinds %}
import { DashboardPage } from "./pages/DashboardPage";
{%- endif %}
import { LoginPage } from "./pages/LoginPage";
{%- for entity in vars.spec.entities if entity.name in listed %}
import { {{ entity.name }}Page } from "./pages/{{ entity.name }}Page";
{%- endfor %}

const APP_NAME = {{ vars.spec.name | tojson }};

/** A page of the navigation: `#/tasks` shows the page whose path is `/tasks`. */
interface Route {
  path: string;
  title: string;
  render: (route: Route) => ReactNode;
}

const ROUTES: readonly Route[] = [
{%- for page in pages %}
  {
    path: {{ page.path | tojson }},
    title: {{ page.title | tojson }},
    {%- if page.kind == "list" %}
    render: () => <{{ page.entity }}Page />,
    {%- else %}
    render: ({ title }) => <{{ "DashboardPage" if page.kind == "dashboard" else "ActivityPage" }} title={title} />,
    {%- endif %}
  },
{%- endfor %}
];

function hashPath(): string {
  const path = window.location.hash.replace(/^#/, "");
  return path.startsWith("/") ? path : "/";
}

/** The path after `#` in the address bar: a router without dependencies (links are `#/path`). */
function useHashPath(): string {
  const [path, setPath] = useState(hashPath);
  useEffect(() => {
    const update = () => setPath(hashPath());
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return path;
}

function findRoute(path: string): Route | undefined {
  return ROUTES.find((route) => route.path === path) ?? (path === "/" ? ROUTES[0] : undefined);
}

function Shell() {
  const { user, loading, logout } = useAuth();
  const route = findRoute(useHashPath());

  useEffect(() => {
    document.title = route === undefined ? APP_NAME : `${route.title} · ${APP_NAME}`;
  }, [route]);

  if (user === null) {
    return loading ? <p className="centered">Loading…</p> : <LoginPage appName={APP_NAME} />;
  }
  return (
    <div className="layout">
      <header className="topbar">
        <a className="brand" href="#/">
          {APP_NAME}
        </a>
        <nav aria-label="Pages">
          {ROUTES.map((item) => (
            <a key={item.path} href={`#${item.path}`} aria-current={item === route ? "page" : undefined}>
              {item.title}
            </a>
          ))}
        </nav>
        <span className="user">{user.email ?? user.id}</span>
        <button type="button" className="secondary" onClick={() => void logout()}>
          Sign out
        </button>
      </header>
      <main key={route?.path ?? "not-found"}>
        {route === undefined ? (
          <section>
            <h1>Page not found</h1>
            <p>
              <a href="#/">Back to the start</a>
            </p>
          </section>
        ) : (
          route.render(route)
        )}
      </main>
    </div>
  );
}

/** The whole app: the backend client for every page below, then sign-in or the pages. */
export default function App() {
  return (
    <MozaiksProvider client={client}>
      <Shell />
    </MozaiksProvider>
  );
}

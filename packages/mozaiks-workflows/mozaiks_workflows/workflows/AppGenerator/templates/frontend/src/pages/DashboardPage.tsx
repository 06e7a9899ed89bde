import { useQuery } from "@mozaiks/core-runtime/react";
import { ErrorNotice } from "../components/ErrorNotice";

/** What the dashboard counts: every collection, and the page listing it (if any). */
const COUNTED: readonly { collection: string; label: string; href: string | null }[] = [
{%- for entity in vars.spec.entities %}
{%- set list_pages = vars.spec.pages | selectattr("entity", "equalto", entity.name) | list %}
  {
    collection: {{ entity.collection | tojson }},
    label: {{ entity.plural_label | tojson }},
    href: {% if list_pages %}{{ ("#" ~ list_pages[0].path) | tojson }}{% else %}null{% endif %},
  },
{%- endfor %}
];

/** How many records of each kind the signed-in user has: `GET /api/stats`. */
export function DashboardPage({ title = "Dashboard" }: { title?: string }) {
  const stats = useQuery<Record<string, number>>("/api/stats");
  return (
    <section>
      <div className="heading">
        <h1>{title}</h1>
        <button type="button" className="secondary" onClick={() => void stats.refetch()} disabled={stats.loading}>
          Refresh
        </button>
      </div>
      <ErrorNotice error={stats.error} />
      <div className="cards">
        {COUNTED.map(({ collection, label, href }) => {
          const count = stats.data?.[collection];
          const body = (
            <>
              <span className="count">{count === undefined ? "…" : count.toLocaleString()}</span>
              <span>{label}</span>
            </>
          );
          return href === null ? (
            <div key={collection} className="card stat">
              {body}
            </div>
          ) : (
            <a key={collection} className="card stat" href={href}>
              {body}
            </a>
          );
        })}
      </div>
    </section>
  );
}

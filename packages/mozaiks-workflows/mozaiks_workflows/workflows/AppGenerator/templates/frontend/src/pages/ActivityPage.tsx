import { useQuery } from "@mozaiks/core-runtime/react";
import { useEffect } from "react";
import { ErrorNotice } from "../components/ErrorNotice";
import { displayDateTime } from "../format";

/** What the app's workflows reported (`POST /api/activity` from mozaiks-ai). */
interface ActivityItem {
  id: string;
  message: string;
  entity: string;
  entity_id: string;
  created_at: string;
}

/** Workflows run after the event that triggers them: look again this often. */
const POLL_MS = 10_000;

/** The activity feed, newest first: `GET /api/activity`. */
export function ActivityPage({ title = "Activity" }: { title?: string }) {
  const activity = useQuery<{ items: ActivityItem[] }>("/api/activity");
  const { refetch } = activity;

  useEffect(() => {
    const timer = window.setInterval(() => void refetch(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [refetch]);

  const items = activity.data?.items ?? [];
  return (
    <section>
      <div className="heading">
        <h1>{title}</h1>
        <button type="button" className="secondary" onClick={() => void refetch()} disabled={activity.loading}>
          Refresh
        </button>
      </div>
      <ErrorNotice error={activity.error} />
      {activity.data !== undefined && items.length === 0 && (
        <p className="empty">Nothing yet: workflows report here when they run.</p>
      )}
      <ul className="feed">
        {items.map((item) => (
          <li key={item.id}>
            <span>{item.message}</span>
            <time dateTime={item.created_at}>{displayDateTime(item.created_at)}</time>
          </li>
        ))}
      </ul>
    </section>
  );
}

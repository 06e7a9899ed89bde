import { errorMessage } from "../api";

/** A failed call, in words (nothing when there is no error). */
export function ErrorNotice({ error, labels }: { error: unknown; labels?: Readonly<Record<string, string>> }) {
  if (error === null || error === undefined) return null;
  return (
    <p className="error" role="alert">
      {errorMessage(error, labels)}
    </p>
  );
}

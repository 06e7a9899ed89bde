import { AuthError, ConflictError } from "@mozaiks/core-runtime";
import { useAuth } from "@mozaiks/core-runtime/react";
import { type FormEvent, useState } from "react";
import { errorMessage } from "../api";

type Mode = "login" | "signup";

function explain(error: Error, mode: Mode): string {
  if (mode === "login" && error instanceof AuthError) return "Wrong email or password.";
  if (mode === "signup" && error instanceof ConflictError) return "This email already has an account: sign in instead.";
  return errorMessage(error, { email: "Email", password: "Password" });
}

/** Sign in, or create an account (mozaiks-core's built-in email and password provider). */
export function LoginPage({ appName }: { appName: string }) {
  const { login, signup, loading, error } = useAuth();
  const [mode, setMode] = useState<Mode>("login");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  // The mode whose last attempt failed: `error` stays set until the next attempt, so hide it after a switch.
  const [failed, setFailed] = useState<Mode | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const credentials = { email: email.trim(), password };
    const user = await (mode === "login" ? login(credentials) : signup(credentials));
    // Success re-renders the app through the session change; a failure shows `error` below.
    setFailed(user === null ? mode : null);
  }

  return (
    <main className="login">
      <h1>{appName}</h1>
      <form className="card" onSubmit={(event) => void submit(event)}>
        <h2>{mode === "login" ? "Sign in" : "Create an account"}</h2>
        <label>
          <span>Email</span>
          <input
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </label>
        <label>
          <span>Password</span>
          <input
            type="password"
            autoComplete={mode === "login" ? "current-password" : "new-password"}
            required
            minLength={mode === "signup" ? 8 : undefined}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        {error !== null && failed === mode && (
          <p className="error" role="alert">
            {explain(error, mode)}
          </p>
        )}
        <button type="submit" disabled={loading}>
          {mode === "login" ? "Sign in" : "Create account"}
        </button>
        <p className="switch">
          {mode === "login" ? "No account yet? " : "Already registered? "}
          <button type="button" className="link" onClick={() => setMode(mode === "login" ? "signup" : "login")}>
            {mode === "login" ? "Create one" : "Sign in"}
          </button>
        </p>
      </form>
    </main>
  );
}

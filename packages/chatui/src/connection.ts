/**
 * One logical chat connection over successive WebSockets: reconnects with backoff, keeps the socket
 * alive with pings, and lets the owner re-attach (send `resume`) before anything queued is sent.
 */

import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff";
import { CLOSE_FORBIDDEN, CLOSE_UNAUTHORIZED, type ClientMessage, type ServerMessage } from "./protocol";

export type ConnectionState =
  | { readonly kind: "idle" }
  | { readonly kind: "connecting"; readonly attempt: number }
  | { readonly kind: "open" }
  | { readonly kind: "waiting"; readonly attempt: number; readonly retryAt: number; readonly reason: string }
  | { readonly kind: "stopped"; readonly code: number; readonly reason: string };

export interface ConnectionOptions {
  /** The socket URL, computed for each attempt (the token may have changed). */
  readonly url: () => string;
  readonly onMessage: (message: ServerMessage) => void;
  /** Called when a socket opens, before queued messages are sent: re-attach here with `send`. */
  readonly onOpen: (send: (message: ClientMessage) => void) => void;
  readonly onState: (state: ConnectionState) => void;
  readonly backoff?: BackoffOptions;
  /** Ping interval in milliseconds; a socket silent for two intervals is considered dead. */
  readonly heartbeatMs?: number;
}

export class ChatConnection {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private lastHeard = 0;
  private queue: ClientMessage[] = [];
  private running = false;
  private current: ConnectionState = { kind: "idle" };
  private readonly onOnline = (): void => this.reconnectNow();

  constructor(private readonly options: ConnectionOptions) {}

  get state(): ConnectionState {
    return this.current;
  }

  get isOpen(): boolean {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN && this.current.kind === "open";
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    globalThis.addEventListener?.("online", this.onOnline);
    this.connect();
  }

  stop(): void {
    this.running = false;
    globalThis.removeEventListener?.("online", this.onOnline);
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, "client stopped");
    this.setState({ kind: "idle" });
  }

  /** Close the current socket (if any) and connect again at once, e.g. after the token changed. */
  restart(): void {
    this.attempt = 0;
    if (!this.running) {
      this.start();
      return;
    }
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, "reconnecting");
    this.clearTimers();
    this.connect();
  }

  /** Skip the remaining backoff wait. */
  reconnectNow(): void {
    if (this.running && this.current.kind === "waiting") {
      this.clearTimers();
      this.connect();
    }
  }

  /** Abandon the current socket as if the network dropped, and reconnect after the usual backoff. */
  drop(reason = "connection dropped"): void {
    const ws = this.ws;
    if (!this.running || ws === null) return;
    this.ws = null;
    this.clearTimers();
    ws.close(4000, reason.slice(0, 100));
    this.scheduleRetry(reason);
  }

  /** Send now when open, else queue until the next socket opens (after its `resume` messages). */
  send(message: ClientMessage): boolean {
    if (this.isOpen && this.ws) {
      this.ws.send(JSON.stringify(message));
      return true;
    }
    this.queue.push(message);
    return false;
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    this.options.onState(state);
  }

  private clearTimers(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.retryTimer = this.heartbeat = null;
  }

  private connect(): void {
    this.setState({ kind: "connecting", attempt: this.attempt });
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.options.url());
    } catch (error) {
      this.scheduleRetry(error instanceof Error ? error.message : "cannot open the socket");
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.attempt = 0;
      this.lastHeard = Date.now();
      this.setState({ kind: "open" });
      const direct = (message: ClientMessage): void => ws.send(JSON.stringify(message));
      this.options.onOpen(direct);
      const queued = this.queue;
      this.queue = [];
      for (const message of queued) direct(message);
      this.startHeartbeat(ws);
    };
    ws.onmessage = (event: MessageEvent) => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      let message: unknown;
      try {
        message = JSON.parse(String(event.data));
      } catch {
        return;
      }
      if (message && typeof message === "object" && typeof (message as ServerMessage).type === "string") {
        if ((message as ServerMessage).type !== "pong") this.options.onMessage(message as ServerMessage);
      }
    };
    ws.onclose = (event: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.clearTimers();
      if (!this.running) return;
      if (event.code === CLOSE_UNAUTHORIZED || event.code === CLOSE_FORBIDDEN) {
        this.setState({ kind: "stopped", code: event.code, reason: event.reason || "not authorized" });
        return;
      }
      this.scheduleRetry(event.reason || `connection closed (${event.code})`);
    };
    ws.onerror = () => {
      /* a close event follows */
    };
  }

  private startHeartbeat(ws: WebSocket): void {
    const interval = this.options.heartbeatMs ?? 25_000;
    this.heartbeat = setInterval(() => {
      if (this.ws !== ws) return;
      if (Date.now() - this.lastHeard > interval * 2) {
        this.drop("no answer to pings");
        return;
      }
      ws.send(JSON.stringify({ type: "ping" }));
    }, interval);
  }

  private scheduleRetry(reason: string): void {
    const delay = backoffDelay(this.attempt, this.options.backoff ?? DEFAULT_BACKOFF);
    this.setState({ kind: "waiting", attempt: this.attempt, retryAt: Date.now() + delay, reason });
    this.attempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.running) this.connect();
    }, delay);
  }
}

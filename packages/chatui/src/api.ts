/** The HTTP API of mozaiks-ai, with `Authorization: Bearer` when a token is set. */

import type { AgentList, ArtifactInfo, WorkflowList } from "./protocol";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: () => string | null,
  ) {}

  private async request(path: string): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json" };
    const token = this.token();
    if (token) headers["Authorization"] = `Bearer ${token}`;
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl).toString(), { headers, credentials: "omit" });
    } catch (error) {
      throw new ApiError(0, `cannot reach ${this.baseUrl} (${error instanceof Error ? error.message : String(error)})`);
    }
    if (!response.ok) {
      let message = `${response.status} ${response.statusText}`.trim();
      try {
        const body = (await response.json()) as { error?: unknown };
        if (typeof body.error === "string") message = body.error;
      } catch {
        /* not JSON */
      }
      throw new ApiError(response.status, message);
    }
    return response;
  }

  async workflows(): Promise<WorkflowList> {
    const body = (await (await this.request("/api/workflows")).json()) as WorkflowList;
    return { workflows: Array.isArray(body.workflows) ? body.workflows : [], invalid: body.invalid ?? [] };
  }

  async agents(): Promise<AgentList> {
    const body = (await (await this.request("/api/agents")).json()) as AgentList;
    return { agents: Array.isArray(body.agents) ? body.agents : [], invalid: body.invalid ?? [] };
  }

  async artifacts(runId: string): Promise<ArtifactInfo[]> {
    const response = await this.request(`/api/runs/${encodeURIComponent(runId)}/artifacts`);
    const body = (await response.json()) as { artifacts?: ArtifactInfo[] };
    return Array.isArray(body.artifacts) ? body.artifacts : [];
  }

  /** Fetch a file (with the token) as a blob. */
  async blob(path: string): Promise<Blob> {
    return (await this.request(path)).blob();
  }

  artifactsZipPath(runId: string): string {
    return `/api/runs/${encodeURIComponent(runId)}/artifacts.zip`;
  }

  artifactPath(runId: string, path: string): string {
    return `/api/runs/${encodeURIComponent(runId)}/artifacts/${path.split("/").map(encodeURIComponent).join("/")}`;
  }
}

/** Save a blob as a file (an object URL clicked through a temporary link; works with tokens, unlike `<a href>`). */
export function saveBlob(blob: Blob, filename: string, doc: Document = document): void {
  const url = URL.createObjectURL(blob);
  const link = doc.createElement("a");
  link.href = url;
  link.download = filename;
  link.rel = "noopener";
  link.style.display = "none";
  (doc.body ?? doc.documentElement).appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

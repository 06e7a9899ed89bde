/**
 * `mozaiksMarketing`: hand an ad campaign (e.g. ValidationEngine's output) to MozaiksMarketing through the app's
 * backend (`POST /api/marketing/campaigns`; managed mode, the marketing key stays on the server).
 *
 * @module
 */

import type { ApiClient } from "./api.js";
import { newIdempotencyKey } from "./ids.js";

/** Options of {@link MozaiksMarketing.createCampaign}. */
export interface CampaignOptions {
  /** Makes a repeated call create one campaign; generated when omitted. */
  idempotencyKey?: string;
}

/** Campaigns of the signed-in user's app. */
export class MozaiksMarketing {
  private readonly api: ApiClient;

  constructor(api: ApiClient) {
    this.api = api;
  }

  /**
   * Create a campaign: `POST /api/marketing/campaigns` with `campaign` as the JSON body; returns the JSON answer.
   *
   * @throws {ApiError} 503 in self-hosted mode (the message says what to configure); 502 when MozaiksMarketing
   *   refused it (its message included).
   */
  createCampaign<Result = Record<string, unknown>>(campaign: object, options: CampaignOptions = {}): Promise<Result> {
    return this.api.post<Result>("/api/marketing/campaigns", campaign, {
      headers: { "Idempotency-Key": options.idempotencyKey ?? newIdempotencyKey() },
    });
  }
}

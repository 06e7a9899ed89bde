/**
 * `mozaiksPay`: checkout and subscription of the signed-in user, through the app's backend
 * (`/api/payments/*` on mozaiks-core). Provider keys stay on the server.
 *
 * @module
 */

import type { ApiClient } from "./api.js";

/** A started checkout: send the browser to `url` (absolute, or relative to the backend for the sandbox). */
export interface Checkout {
  /** The provider's checkout (session) id. */
  id: string;
  url: string;
  /** The provider that handles it (`sandbox`, `stripe`, `mozaiks`, a plugin…). */
  provider: string;
  plan_id: string;
  user_id: string;
}

/** Normalised subscription states. */
export type SubscriptionStatus = "none" | "pending" | "active" | "trialing" | "past_due" | "canceled";

/** The user's subscription as last known to the provider. */
export interface Subscription {
  user_id: string;
  provider: string;
  /** `none` when the user never subscribed. */
  status: SubscriptionStatus | (string & {});
  plan_id: string | null;
  external_id: string | null;
  /** Unix time at which the paid period ends, when the provider says. */
  current_period_end: number | null;
}

/** Arguments of {@link MozaiksPay.createCheckout}. */
export interface CheckoutOptions {
  /** The plan to buy. */
  planId: string;
  /** A provider other than the backend's default. */
  provider?: string;
}

/** Payments of the signed-in user. */
export class MozaiksPay {
  private readonly api: ApiClient;

  constructor(api: ApiClient) {
    this.api = api;
  }

  /**
   * Start a checkout: `POST /api/payments/checkout` with `{"plan_id", "provider"?}`.
   *
   * @throws {ValidationError} Missing plan or unknown provider.
   */
  createCheckout(options: CheckoutOptions): Promise<Checkout> {
    const body: { plan_id: string; provider?: string } = { plan_id: options.planId };
    if (options.provider !== undefined) body.provider = options.provider;
    return this.api.post<Checkout>("/api/payments/checkout", body);
  }

  /** The user's subscription: `GET /api/payments/subscription`. */
  subscription(options: { provider?: string } = {}): Promise<Subscription> {
    return this.api.get<Subscription>("/api/payments/subscription", { query: { provider: options.provider } });
  }

  /** Cancel the user's subscription: `POST /api/payments/cancel`; returns it as it is now. */
  cancel(options: { provider?: string } = {}): Promise<Subscription> {
    return this.api.post<Subscription>(
      "/api/payments/cancel",
      options.provider === undefined ? undefined : { provider: options.provider },
    );
  }
}

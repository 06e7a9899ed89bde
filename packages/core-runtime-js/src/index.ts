/**
 * `@mozaiks/core-runtime`: the TypeScript client of apps running on mozaiks-core.
 *
 * Start with {@link createClient}; React apps also import `@mozaiks/core-runtime/react`.
 *
 * @module
 */

export { ApiClient } from "./api.js";
export { Auth, type AuthChange, type AuthEvent, type AuthOptions, type Credentials } from "./auth.js";
export { type ClientOptions, createClient, type MozaiksClient } from "./client.js";
export {
  ApiError,
  type ApiErrorInit,
  AuthError,
  ConflictError,
  MozaiksError,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
} from "./errors.js";
export type { FetchLike, Method, Query, RequestOptions } from "./http.js";
export { decodeJwtPayload, tokenExpiry } from "./jwt.js";
export type { LockManagerLike } from "./locks.js";
export { type CampaignOptions, MozaiksMarketing } from "./marketing.js";
export { type Checkout, type CheckoutOptions, MozaiksPay, type Subscription, type SubscriptionStatus } from "./payments.js";
export {
  MemoryStorage,
  type Session,
  type StorageChange,
  type StorageEventSource,
  type StorageLike,
  type User,
} from "./tokenStore.js";
export { type ExecuteOptions, type RunStatus, WorkflowClient, type WorkflowRun } from "./workflows.js";

import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from '../api/schema';
import { ApiError, isProblem } from './problem';

export type Schemas = components['schemas'];

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;
let lastRequestAt = Date.now();

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** One place reacts to a 401: the auth provider signs the user out and keeps where they were. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

/** When the server last saw this browser: its idle clock restarts with every request. */
export function lastServerContact(): number {
  return lastRequestAt;
}

const authMiddleware: Middleware = {
  onRequest({ request }) {
    if (!SAFE_METHODS.has(request.method) && csrfToken) {
      request.headers.set('X-CSRF-Token', csrfToken);
    }
    return request;
  },
  onResponse({ request, response }) {
    lastRequestAt = Date.now();
    if (response.status === 401 && !new URL(request.url).pathname.endsWith('/auth/login')) {
      onUnauthorized?.();
    }
    return response;
  },
};

// Errors are typed from the `application/json` variant, which carries the Problem schema;
// the `application/problem+json` entries in the document have none.
export const api = createClient<paths, 'application/json'>({
  baseUrl: typeof window === 'undefined' ? 'http://localhost' : window.location.origin,
  credentials: 'same-origin',
  // Looked up at call time, so that a test's stubbed fetch is the one used.
  fetch: (request: Request) => globalThis.fetch(request),
});
api.use(authMiddleware);

type FetchOutcome<T> =
  | { data: T; error?: never; response: Response }
  | { data?: never; error: unknown; response: Response };

/** The response's data, or an ApiError carrying the problem's title, detail and field errors. */
export async function ok<T>(pending: Promise<FetchOutcome<T>>): Promise<Exclude<T, undefined>> {
  return (await okTagged(pending)).data;
}

/** The data with the response's ETag, for resources written back with `If-Match`. */
export async function okTagged<T>(
  pending: Promise<FetchOutcome<T>>,
): Promise<{ data: Exclude<T, undefined>; etag: string | null }> {
  const outcome = await pending;
  if (outcome.error !== undefined || !outcome.response.ok) {
    const problem = isProblem(outcome.error) ? outcome.error : null;
    throw new ApiError(outcome.response.status, problem, outcome.response);
  }
  return { data: outcome.data as Exclude<T, undefined>, etag: outcome.response.headers.get('ETag') };
}

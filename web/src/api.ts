// Calls to the workspace API: same-origin cookie, the session's CSRF token on
// every change, errors as ApiError with the server's field details.
export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onUnauthorized: () => void = () => {};

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

function isErrorBody(v: unknown): v is { error: { code: string; message: string; details?: ErrorDetail[] } } {
  return typeof v === 'object' && v !== null && 'error' in v && typeof v.error === 'object' && v.error !== null && 'message' in v.error;
}

export async function api<T>(
  path: string,
  init: {
    method?: string;
    body?: unknown;
    signal?: AbortSignal;
    headers?: Record<string, string>;
    raw?: { body: Blob | string; contentType: string };
    /** A multipart form: the browser sets its content type (with the boundary). */
    form?: FormData;
  } = {},
): Promise<T> {
  const method = init.method ?? (init.body === undefined && init.raw === undefined && init.form === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.raw !== undefined) headers['content-type'] = init.raw.contentType;
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`/dashboard/api${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: init.form ?? (init.raw !== undefined ? init.raw.body : init.body === undefined ? undefined : JSON.stringify(init.body)),
      signal: init.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'The server did not answer. Is Rapport running?');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    if (res.status === 401 && path !== '/session') onUnauthorized();
    if (isErrorBody(body)) throw new ApiError(res.status, body.error.code, body.error.message, body.error.details ?? []);
    throw new ApiError(res.status, 'http', `The server answered ${res.status}.`);
  }
  return body as T;
}

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

// A cookie-keeping HTTP client for the workspace API, as a browser would call it.
export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

export class WorkspaceClient {
  cookie: string | null = null;
  csrf: string | null = null;

  constructor(readonly base: string) {}

  async req(
    path: string,
    init: { method?: string; body?: unknown; csrf?: string | null; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
    const csrf = init.csrf === undefined ? this.csrf : init.csrf;
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(csrf && method !== 'GET' ? { 'x-csrf-token': csrf } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      const [pair] = setCookie.split(';');
      this.cookie = pair!.endsWith('=') ? null : pair!;
    }
    const text = await res.text();
    return {
      status: res.status,
      body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
      headers: res.headers,
    };
  }

  async login(email: string, password: string): Promise<Reply> {
    const r = await this.req('/dashboard/api/session', { body: { email, password } });
    if (r.status === 201) this.csrf = r.body.csrfToken;
    return r;
  }
}

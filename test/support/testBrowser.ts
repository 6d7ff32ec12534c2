/**
 * A browser for in-process web tests: keeps cookies between requests to `app.request` and sends
 * an Origin on POSTs (the app's own unless a test says otherwise), as a real browser would.
 */
export interface RequestTarget {
  request(input: string, init?: RequestInit): Response | Promise<Response>;
}

export class TestBrowser {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly app: RequestTarget,
    private readonly origin = 'http://localhost',
  ) {}

  get cookie(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', this.cookie);
    if (init.method === 'POST' && !headers.has('origin')) headers.set('origin', this.origin);
    const res = await this.app.request(path, { ...init, headers });
    for (const sc of res.headers.getSetCookie()) {
      const [pair] = sc.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i);
      const value = pair!.slice(i + 1);
      if (value === '' || /max-age=0/i.test(sc)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** Opens the sign-in page and posts it with the page's form token; returns the post's answer. */
  async submitLogin(
    username: string,
    password: string,
    opts: { next?: string; extra?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const page = await (await this.fetch(`/login${opts.next ? `?next=${encodeURIComponent(opts.next)}` : ''}`)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
    if (!csrf) throw new Error('the sign-in page has no form token');
    return this.fetch('/login', {
      method: 'POST',
      headers: opts.headers ?? {},
      body: new URLSearchParams({ username, password, csrf, next: opts.next ?? '', ...opts.extra }),
    });
  }

  /** Signs in, and fails the test unless it worked. */
  async login(username: string, password: string): Promise<this> {
    const res = await this.submitLogin(username, password);
    if (res.status !== 303) throw new Error(`sign-in as ${username} answered ${res.status}`);
    return this;
  }
}

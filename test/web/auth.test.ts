/** Signing in: the login page, sessions in signed cookies, the role check and the form token. */
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { Templates } from '../../infra/templates.js';
import { hashPassword, staticUserDirectory, type User } from '../../infra/users.js';
import { createAuth, safeNext, SESSION_COOKIE, type AuthEnv } from '../../web/auth.js';

const ORIGIN = 'http://localhost';
const secret = Buffer.alloc(32, 7);
const templates = new Templates();
let users: User[];
let clock = Date.parse('2030-01-01T00:00:00Z');

function appWith(list: User[] = users) {
  const auth = createAuth({ secret, users: staticUserDirectory(list), templates, now: () => clock });
  const app = new Hono<AuthEnv>();
  app.route('/', auth.routes);
  app.get('/private', auth.requireRole('coordinator'), (c) => c.text(`hello ${c.get('user').username} ${auth.formToken(c)}`));
  app.post('/private', auth.requireRole('coordinator'), auth.verifyForm, (c) => c.text('done'));
  return app;
}

class Browser {
  cookies = new Map<string, string>();
  constructor(readonly app: Hono<AuthEnv>) {}
  get cookie() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  async fetch(path: string, init: RequestInit = {}) {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', this.cookie);
    if (init.method === 'POST' && !headers.has('origin')) headers.set('origin', ORIGIN);
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
  async login(username: string, password: string, next?: string, extra: Record<string, string> = {}) {
    const page = await (await this.fetch(`/login${next ? `?next=${encodeURIComponent(next)}` : ''}`)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    return this.fetch('/login', { method: 'POST', body: new URLSearchParams({ username, password, csrf, next: next ?? '', ...extra }) });
  }
}

beforeAll(async () => {
  const cheap = { N: 1024, r: 8, p: 1 };
  users = [
    { username: 'li', name: '李协调', roles: ['coordinator'], passwordHash: await hashPassword('coordinator-pw', cheap) },
    { username: 'zhou', name: '周审计', roles: ['auditor'], passwordHash: await hashPassword('auditor-pw', cheap) },
  ];
});

describe('signing in', () => {
  it('sends a visitor to the login page, and back after signing in', async () => {
    const b = new Browser(appWith());
    const res = await b.fetch('/private?x=1');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login?next=%2Fprivate%3Fx%3D1');

    const page = await b.fetch('/login?next=%2Fprivate%3Fx%3D1');
    const html = await page.text();
    expect(html).toContain('登录');
    expect(html).toContain('Sign in');
    expect(html).toContain('value="/private?x&#x3D;1"'); // handlebars escapes =

    const login = await b.login('li', 'coordinator-pw', '/private?x=1');
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/private?x=1');
    const setCookie = login.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Max-Age=43200/);
    expect(await (await b.fetch('/private')).text()).toMatch(/^hello li /);
  });

  it('refuses a wrong password and an unknown user without a session', async () => {
    const b = new Browser(appWith());
    for (const [u, p] of [
      ['li', 'wrong-password'],
      ['nobody', 'coordinator-pw'],
    ] as const) {
      const res = await b.login(u, p);
      expect(res.status).toBe(401);
      expect(res.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
      const html = await res.text();
      expect(html).toContain('Wrong username or password');
      expect(html).toContain(`value="${u}"`);
    }
    expect((await b.fetch('/private')).status).toBe(302);
  });

  it('validates the form and needs its token and the same origin', async () => {
    const b = new Browser(appWith());
    const empty = await b.login('', '');
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('Enter your username');

    await b.fetch('/login');
    const noToken = await b.fetch('/login', { method: 'POST', body: new URLSearchParams({ username: 'li', password: 'coordinator-pw' }) });
    expect(noToken.status).toBe(422);
    expect(b.cookies.has(SESSION_COOKIE)).toBe(false);

    const page = await (await b.fetch('/login')).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const crossSite = await b.fetch('/login', {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
      body: new URLSearchParams({ username: 'li', password: 'coordinator-pw', csrf }),
    });
    expect(crossSite.status).toBe(403);
    expect(b.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it('never redirects to another site after signing in', async () => {
    expect(safeNext('//evil.example/x')).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext('/\\evil.example')).toBe('/');
    expect(safeNext('/rounds/round:a:1/manage')).toBe('/rounds/round:a:1/manage');
    const b = new Browser(appWith());
    const res = await b.login('li', 'coordinator-pw', '//evil.example');
    expect(res.headers.get('location')).toBe('/');
  });
});

describe('sessions', () => {
  it('is refused for a user without the role (403), an expired session, a forged cookie or a removed user', async () => {
    const b = new Browser(appWith());
    await b.login('zhou', 'auditor-pw');
    const forbidden = await b.fetch('/private');
    expect(forbidden.status).toBe(403);
    expect(await forbidden.text()).toContain('coordinator');

    const c = new Browser(appWith());
    await c.login('li', 'coordinator-pw');
    const session = c.cookies.get(SESSION_COOKIE)!;
    // A forged username with the old signature.
    c.cookies.set(SESSION_COOKIE, session.replace(/li/, 'zhou'));
    expect((await c.fetch('/private')).status).toBe(302);

    c.cookies.set(SESSION_COOKIE, session);
    expect((await c.fetch('/private')).status).toBe(200);
    // Without the user in the directory, the same cookie no longer works.
    const withoutLi = new Browser(appWith(users.filter((u) => u.username !== 'li')));
    withoutLi.cookies.set(SESSION_COOKIE, session);
    expect((await withoutLi.fetch('/private')).status).toBe(302);

    const saved = clock;
    clock += 13 * 3600 * 1000;
    try {
      expect((await c.fetch('/private')).status).toBe(302);
    } finally {
      clock = saved;
    }
  });

  it('needs the session form token on every POST, and signs out', async () => {
    const b = new Browser(appWith());
    await b.login('li', 'coordinator-pw');
    const token = (await (await b.fetch('/private')).text()).split(' ')[2]!;
    expect((await b.fetch('/private', { method: 'POST', body: new URLSearchParams({}) })).status).toBe(403);
    expect((await b.fetch('/private', { method: 'POST', body: new URLSearchParams({ csrf: 'x'.repeat(43) }) })).status).toBe(403);
    expect((await b.fetch('/private', { method: 'POST', headers: { origin: 'https://evil.example' }, body: new URLSearchParams({ csrf: token }) })).status).toBe(403);
    const ok = await b.fetch('/private', { method: 'POST', body: new URLSearchParams({ csrf: token }) });
    expect(ok.status).toBe(200);

    // Another session's token does not fit this one.
    const other = new Browser(appWith());
    await other.login('li', 'coordinator-pw');
    const otherToken = (await (await other.fetch('/private')).text()).split(' ')[2]!;
    expect(otherToken).not.toBe(token);
    expect((await b.fetch('/private', { method: 'POST', body: new URLSearchParams({ csrf: otherToken }) })).status).toBe(403);

    const out = await b.fetch('/logout', { method: 'POST', body: new URLSearchParams({ csrf: token }) });
    expect(out.status).toBe(303);
    expect(b.cookies.has(SESSION_COOKIE)).toBe(false);
    expect((await b.fetch('/private')).status).toBe(302);
  });
});

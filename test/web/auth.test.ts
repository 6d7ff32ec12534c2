/** Signing in: the login page, sessions in signed cookies, the role check and the form token. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { Templates } from '../../infra/templates.js';
import {
  addUser,
  fileUserDirectory,
  hashPassword,
  staticUserDirectory,
  type User,
  type UserDirectory,
} from '../../infra/users.js';
import { createAuth, LOGIN_LIMITS, safeNext, SESSION_COOKIE, SESSION_LIMITS, type AuthEnv } from '../../web/auth.js';
import { TestBrowser } from '../support/testBrowser.js';

const ORIGIN = 'http://localhost';
const secret = Buffer.alloc(32, 7);
const templates = new Templates();
let users: User[];
let clock = Date.parse('2030-01-01T00:00:00Z');

function appWith(list: User[] = users, directory: UserDirectory = staticUserDirectory(list)) {
  // The client address comes from a test header (in-process requests have no socket).
  const auth = createAuth({
    secret,
    users: directory,
    templates,
    now: () => clock,
    clientAddress: (c) => c.req.header('x-test-client'),
  });
  const app = new Hono<AuthEnv>();
  app.route('/', auth.routes);
  app.get('/private', auth.requireRole('coordinator'), (c) =>
    c.text(`hello ${c.get('user').username} ${auth.formToken(c)}`),
  );
  app.post('/private', auth.requireRole('coordinator'), auth.verifyForm, (c) => c.text('done'));
  return app;
}

beforeAll(async () => {
  const cheap = { N: 1024, r: 8, p: 1 };
  users = [
    {
      username: 'li',
      name: '李协调',
      roles: ['coordinator'],
      passwordHash: await hashPassword('coordinator-pw', cheap),
    },
    { username: 'zhou', name: '周审计', roles: ['auditor'], passwordHash: await hashPassword('auditor-pw', cheap) },
  ];
});

describe('signing in', () => {
  it('sends a visitor to the login page, and back after signing in', async () => {
    const b = new TestBrowser(appWith(), ORIGIN);
    const res = await b.fetch('/private?x=1');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/login?next=%2Fprivate%3Fx%3D1');

    const page = await b.fetch('/login?next=%2Fprivate%3Fx%3D1');
    const html = await page.text();
    expect(html).toContain('登录');
    expect(html).toContain('Sign in');
    expect(html).toContain('value="/private?x&#x3D;1"'); // handlebars escapes =

    const login = await b.submitLogin('li', 'coordinator-pw', { next: '/private?x=1' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/private?x=1');
    const setCookie = login.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Max-Age=43200/);
    expect(await (await b.fetch('/private')).text()).toMatch(/^hello li /);
  });

  it('refuses a wrong password and an unknown user without a session', async () => {
    const b = new TestBrowser(appWith(), ORIGIN);
    for (const [u, p] of [
      ['li', 'wrong-password'],
      ['nobody', 'coordinator-pw'],
    ] as const) {
      const res = await b.submitLogin(u, p);
      expect(res.status).toBe(401);
      expect(res.headers.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
      const html = await res.text();
      expect(html).toContain('Wrong username or password');
      expect(html).toContain(`value="${u}"`);
    }
    expect((await b.fetch('/private')).status).toBe(302);
  });

  it('validates the form and needs its token and the same origin', async () => {
    const b = new TestBrowser(appWith(), ORIGIN);
    const empty = await b.submitLogin('', '');
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('Enter your username');

    await b.fetch('/login');
    const noToken = await b.fetch('/login', {
      method: 'POST',
      body: new URLSearchParams({ username: 'li', password: 'coordinator-pw' }),
    });
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
    const b = new TestBrowser(appWith(), ORIGIN);
    const res = await b.submitLogin('li', 'coordinator-pw', { next: '//evil.example' });
    expect(res.headers.get('location')).toBe('/');
  });
});

describe('sessions', () => {
  it('is refused for a user without the role (403), an expired session, a forged cookie or a removed user', async () => {
    const b = new TestBrowser(appWith(), ORIGIN);
    await b.submitLogin('zhou', 'auditor-pw');
    const forbidden = await b.fetch('/private');
    expect(forbidden.status).toBe(403);
    expect(await forbidden.text()).toContain('coordinator');

    const c = new TestBrowser(appWith(), ORIGIN);
    await c.submitLogin('li', 'coordinator-pw');
    const session = c.cookies.get(SESSION_COOKIE)!;
    // A forged username with the old signature.
    c.cookies.set(SESSION_COOKIE, session.replace(/li/, 'zhou'));
    expect((await c.fetch('/private')).status).toBe(302);

    c.cookies.set(SESSION_COOKIE, session);
    expect((await c.fetch('/private')).status).toBe(200);
    // Without the user in the directory, the same cookie no longer works.
    const withoutLi = new TestBrowser(appWith(users.filter((u) => u.username !== 'li')), ORIGIN);
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
    const b = new TestBrowser(appWith(), ORIGIN);
    await b.submitLogin('li', 'coordinator-pw');
    const token = (await (await b.fetch('/private')).text()).split(' ')[2]!;
    expect((await b.fetch('/private', { method: 'POST', body: new URLSearchParams({}) })).status).toBe(403);
    expect(
      (await b.fetch('/private', { method: 'POST', body: new URLSearchParams({ csrf: 'x'.repeat(43) }) })).status,
    ).toBe(403);
    expect(
      (
        await b.fetch('/private', {
          method: 'POST',
          headers: { origin: 'https://evil.example' },
          body: new URLSearchParams({ csrf: token }),
        })
      ).status,
    ).toBe(403);
    const ok = await b.fetch('/private', { method: 'POST', body: new URLSearchParams({ csrf: token }) });
    expect(ok.status).toBe(200);

    // Another session's token does not fit this one.
    const other = new TestBrowser(appWith(), ORIGIN);
    await other.submitLogin('li', 'coordinator-pw');
    const otherToken = (await (await other.fetch('/private')).text()).split(' ')[2]!;
    expect(otherToken).not.toBe(token);
    expect(
      (await b.fetch('/private', { method: 'POST', body: new URLSearchParams({ csrf: otherToken }) })).status,
    ).toBe(403);

    const out = await b.fetch('/logout', { method: 'POST', body: new URLSearchParams({ csrf: token }) });
    expect(out.status).toBe(303);
    expect(b.cookies.has(SESSION_COOKIE)).toBe(false);
    expect((await b.fetch('/private')).status).toBe(302);
  });
});

describe('ending sessions', () => {
  it('ends every copy of the session when the user signs out', async () => {
    // Two web servers over one directory.
    const directory = staticUserDirectory(users);
    const b = new TestBrowser(appWith(users, directory), ORIGIN);
    await b.submitLogin('li', 'coordinator-pw');
    const copied = new TestBrowser(appWith(users, directory), ORIGIN);
    copied.cookies.set(SESSION_COOKIE, b.cookies.get(SESSION_COOKIE)!);
    expect((await copied.fetch('/private')).status).toBe(200);
    const token = (await (await b.fetch('/private')).text()).split(' ')[2]!;
    expect((await b.fetch('/logout', { method: 'POST', body: new URLSearchParams({ csrf: token }) })).status).toBe(303);
    expect((await copied.fetch('/private')).status).toBe(302);
    // Signing in again starts a session that works.
    await b.submitLogin('li', 'coordinator-pw');
    expect((await b.fetch('/private')).status).toBe(200);
  });

  it('ends sessions when the password changes in the users file (plan-review user add), on every server', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-sessions-'));
    try {
      const file = path.join(dir, 'users.yaml');
      await addUser(file, { username: 'li', name: '李协调', roles: ['coordinator'] }, 'first-password');
      // Two web servers over one users file.
      const one = appWith(users, fileUserDirectory(file));
      const two = appWith(users, fileUserDirectory(file));
      const b = new TestBrowser(one, ORIGIN);
      await b.submitLogin('li', 'first-password');
      const copied = new TestBrowser(two, ORIGIN);
      copied.cookies.set(SESSION_COOKIE, b.cookies.get(SESSION_COOKIE)!);
      expect((await copied.fetch('/private')).status).toBe(200);

      await addUser(file, { username: 'li', name: '李协调', roles: ['coordinator'] }, 'second-password');
      expect((await b.fetch('/private')).status).toBe(302);
      expect((await copied.fetch('/private')).status).toBe(302);
      expect((await b.submitLogin('li', 'first-password')).status).toBe(401);
      expect((await b.submitLogin('li', 'second-password')).status).toBe(303);

      // Signing out on one server ends the session on the other.
      copied.cookies.set(SESSION_COOKIE, b.cookies.get(SESSION_COOKIE)!);
      const token = (await (await b.fetch('/private')).text()).split(' ')[2]!;
      await b.fetch('/logout', { method: 'POST', body: new URLSearchParams({ csrf: token }) });
      expect((await copied.fetch('/private')).status).toBe(302);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it(`ends after ${SESSION_LIMITS.idleMinutes} minutes without a request, and ${SESSION_LIMITS.hours} hours after signing in`, async () => {
    const saved = clock;
    const minutes = (n: number) => (clock += n * 60_000);
    try {
      const b = new TestBrowser(appWith(), ORIGIN);
      await b.submitLogin('li', 'coordinator-pw');
      // Working keeps it alive: each request renews the idle time.
      for (let i = 0; i < (SESSION_LIMITS.hours * 60) / 20 - 1; i++) {
        minutes(20);
        expect((await b.fetch('/private')).status).toBe(200);
      }
      minutes(20);
      expect((await b.fetch('/private')).status).toBe(302);

      const idle = new TestBrowser(appWith(), ORIGIN);
      await idle.submitLogin('li', 'coordinator-pw');
      minutes(SESSION_LIMITS.idleMinutes - 1);
      expect((await idle.fetch('/private')).status).toBe(200);
      minutes(SESSION_LIMITS.idleMinutes + 1);
      expect((await idle.fetch('/private')).status).toBe(302);
    } finally {
      clock = saved;
    }
  });
});

describe('what /login and /logout read', () => {
  it('refuses a body over 16 KiB with a clear 413 page, by its length or as it streams', async () => {
    const b = new TestBrowser(appWith(), ORIGIN);
    const page = await (await b.fetch('/login')).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const big = new URLSearchParams({ username: 'li', password: 'x'.repeat(20 * 1024), csrf });
    const res = await b.fetch('/login', { method: 'POST', body: big });
    expect(res.status).toBe(413);
    const html = await res.text();
    expect(html).toContain('提交的内容过大');
    expect(html).toContain('too large');

    const bytes = new TextEncoder().encode(big.toString());
    const streamed = await b.fetch('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new ReadableStream({
        start: (ctl) => {
          ctl.enqueue(bytes);
          ctl.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(b.cookies.has(SESSION_COOKIE)).toBe(false);

    await b.submitLogin('li', 'coordinator-pw');
    const out = await b.fetch('/logout', {
      method: 'POST',
      body: new URLSearchParams({ csrf: 'x', pad: 'y'.repeat(20 * 1024) }),
    });
    expect(out.status).toBe(413);
    expect(b.cookies.has(SESSION_COOKIE)).toBe(true);
  });

  it('answers a malformed multipart body with a clear 400 page, not a 500', async () => {
    const b = new TestBrowser(appWith(), ORIGIN);
    await b.fetch('/login');
    const malformed = {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
      body: 'this is not multipart',
    };
    const res = await b.fetch('/login', malformed);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('无法读取提交的表单');
    expect(html).toContain('could not be read');

    await b.submitLogin('li', 'coordinator-pw');
    expect((await b.fetch('/logout', malformed)).status).toBe(400);
    expect((await b.fetch('/private', malformed)).status).toBe(400);
  });
});

describe('login throttling', () => {
  /** A directory that counts how often the users are looked up (once per password check on POST /login). */
  function counting(list: User[]) {
    const inner = staticUserDirectory(list);
    const dir = { ...inner, lookups: 0, list: async () => (dir.lookups++, inner.list()) };
    return dir;
  }

  it('makes a username at one address wait longer after each failure past 5, without checking the password; the user gets in from elsewhere', async () => {
    const saved = clock;
    // The throttle reads the system clock (rate-limiter-flexible has no clock option): it moves with the test's clock.
    vi.useFakeTimers({ toFake: ['Date'], now: clock });
    const advance = (ms: number) => vi.setSystemTime((clock += ms));
    const from = (address: string) => ({ headers: { 'x-test-client': address } });
    try {
      const dir = counting(users);
      const app = appWith(users, dir);
      const attacker = new TestBrowser(app, ORIGIN);
      for (let i = 0; i < LOGIN_LIMITS.free; i++)
        expect((await attacker.submitLogin('li', `wrong-${i}`, from('203.0.113.7'))).status).toBe(401);
      const before = dir.lookups;
      const refused = await attacker.submitLogin('LI', 'coordinator-pw', from('203.0.113.7'));
      expect(refused.status).toBe(429);
      expect(dir.lookups).toBe(before); // no scrypt ran
      expect(Number(refused.headers.get('retry-after'))).toBe(LOGIN_LIMITS.firstWaitMs / 1000);
      const html = await refused.text();
      expect(html).toContain('登录失败次数过多');
      expect(html).toContain('Too many failed sign-in attempts; try again in 30 seconds');
      expect(attacker.cookies.has(SESSION_COOKIE)).toBe(false);

      // The user, from an address that has not been failing, gets in at once; so does another user.
      expect(
        (await new TestBrowser(app, ORIGIN).submitLogin('li', 'coordinator-pw', from('198.51.100.2'))).status,
      ).toBe(303);
      expect((await new TestBrowser(app, ORIGIN).submitLogin('zhou', 'auditor-pw', from('203.0.113.7'))).status).toBe(
        303,
      );

      // Each failure past the free ones doubles the wait: 30 s, 60 s, 120 s...
      for (const wait of [30, 60, 120]) {
        advance(wait * 1000 - 1000);
        expect((await attacker.submitLogin('li', 'wrong', from('203.0.113.7'))).status).toBe(429);
        advance(1000);
        expect((await attacker.submitLogin('li', 'wrong', from('203.0.113.7'))).status).toBe(401);
      }
      expect(Number((await attacker.submitLogin('li', 'wrong', from('203.0.113.7'))).headers.get('retry-after'))).toBe(
        240,
      );
      // The wait stops growing at 15 minutes; once it is over, the right password gets in and the failures are forgotten.
      for (let i = 0; i < 5; i++) {
        advance(LOGIN_LIMITS.maxWaitMs);
        expect((await attacker.submitLogin('li', 'wrong', from('203.0.113.7'))).status).toBe(401);
      }
      expect(Number((await attacker.submitLogin('li', 'wrong', from('203.0.113.7'))).headers.get('retry-after'))).toBe(
        LOGIN_LIMITS.maxWaitMs / 1000,
      );
      advance(LOGIN_LIMITS.maxWaitMs);
      expect((await attacker.submitLogin('li', 'coordinator-pw', from('203.0.113.7'))).status).toBe(303);
      for (let i = 0; i < LOGIN_LIMITS.free; i++)
        expect((await attacker.submitLogin('li', 'wrong', from('203.0.113.7'))).status).toBe(401);
    } finally {
      vi.useRealTimers();
      clock = saved;
    }
  });

  it('counts attempts sent all at once, so they cannot slip past the limit', async () => {
    const dir = counting(users);
    const b = new TestBrowser(appWith(users, dir), ORIGIN);
    const page = await (await b.fetch('/login')).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        b.fetch('/login', {
          method: 'POST',
          body: new URLSearchParams({ username: 'li', password: `wrong-${i}`, csrf }),
        }),
      ),
    );
    expect(attempts.filter((r) => r.status === 401)).toHaveLength(LOGIN_LIMITS.free);
    expect(attempts.filter((r) => r.status === 429)).toHaveLength(12 - LOGIN_LIMITS.free);
    expect(dir.lookups).toBe(LOGIN_LIMITS.free);
  });

  it("clears the username's count on a successful login", async () => {
    const b = new TestBrowser(appWith(), ORIGIN);
    for (let i = 0; i < LOGIN_LIMITS.free - 1; i++) expect((await b.submitLogin('li', 'wrong')).status).toBe(401);
    expect((await b.submitLogin('li', 'coordinator-pw')).status).toBe(303);
    for (let i = 0; i < LOGIN_LIMITS.free - 1; i++) expect((await b.submitLogin('li', 'wrong')).status).toBe(401);
    expect((await b.submitLogin('li', 'coordinator-pw')).status).toBe(303);
  });

  it('refuses a client address after 20 failed attempts across usernames', async () => {
    const cheap = { N: 1024, r: 8, p: 1 };
    const many: User[] = [...users];
    for (let i = 0; i < 5; i++)
      many.push({
        username: `u${i}`,
        name: `用户${i}`,
        roles: ['auditor'],
        passwordHash: await hashPassword(`pw-${i}-secret`, cheap),
      });
    const app = appWith(many);
    const from = (address: string) => ({ 'x-test-client': address });
    const b = new TestBrowser(app, ORIGIN);
    for (let i = 0; i < LOGIN_LIMITS.perAddress; i++) {
      expect((await b.submitLogin(`u${i % 5}`, 'wrong', { headers: from('203.0.113.7') })).status).toBe(401);
    }
    const refused = await b.submitLogin('li', 'coordinator-pw', { headers: from('203.0.113.7') });
    expect(refused.status).toBe(429);
    expect(await refused.text()).toContain('Too many failed sign-in attempts');
    expect(
      (await new TestBrowser(app, ORIGIN).submitLogin('li', 'coordinator-pw', { headers: from('198.51.100.2') }))
        .status,
    ).toBe(303);
  });
});

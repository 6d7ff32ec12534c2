/**
 * Throttles kept in PostgreSQL (STORE_URL set): the same rules as in memory, and one count for
 * every web server on the database. A real server is started for this file (test/support/postgres.ts).
 */
import { Hono } from 'hono';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openPool } from '../../infra/postgresStore.js';
import { Templates } from '../../infra/templates.js';
import { hashPassword, staticUserDirectory, type User } from '../../infra/users.js';
import { createAuth, LOGIN_LIMITS, type AuthEnv } from '../../web/auth.js';
import { postgresLimiters, Throttle, THROTTLE_TABLE, type LimiterFactory } from '../../web/throttle.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { windowScenario } from '../support/throttleScenarios.js';
import { TestBrowser, type RequestTarget } from '../support/testBrowser.js';

const START = Date.parse('2030-01-01T00:00:00Z');
const MINUTE = 60_000;

let server: TestPostgres;
const pools: pg.Pool[] = [];
let n = 0;

/** The limiters of one more web server: its own pool on the shared database. */
async function webServerLimiters(): Promise<{ pool: pg.Pool; limiters: LimiterFactory }> {
  const pool = openPool(server.url, 4);
  pools.push(pool);
  return { pool, limiters: await postgresLimiters(pool) };
}

/** A throttle with a name of its own, so the tests never share a counter. */
async function throttle(limiters?: LimiterFactory) {
  return new Throttle(
    { name: `test-${++n}`, limit: 3, windowMs: 10 * MINUTE },
    limiters ?? (await webServerLimiters()).limiters,
  );
}

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await server?.stop();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Throttle on PostgreSQL', () => {
  it('allows the limit within the window, then refuses until the window that began with the first event has passed', async () => {
    // The library reads the system clock, for the expiry it writes too: the test moves it.
    vi.useFakeTimers({ toFake: ['Date'], now: START });
    await windowScenario(await throttle(), START);
  });

  it('takes back one event within its window, forgets a key, and keeps keys of any length', async () => {
    const t = await throttle();
    for (let i = 0; i < 3; i++) await t.take('k');
    await t.giveBack('k');
    expect(await t.take('k')).toEqual({ ok: true });
    expect((await t.take('k')).ok).toBe(false);
    await t.clear('k');
    expect(await t.take('k')).toEqual({ ok: true });

    const long = 'x'.repeat(1000);
    expect(await t.take(long)).toEqual({ ok: true });
  });

  it('counts events sent all at once to two web servers as one count', async () => {
    const [a, b] = [await webServerLimiters(), await webServerLimiters()];
    const name = `shared-${++n}`;
    const options = { name, limit: 3, windowMs: 10 * MINUTE };
    const [ta, tb] = [new Throttle(options, a.limiters), new Throttle(options, b.limiters)];
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? ta : tb).take('k')));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    const rows = await a.pool.query(`SELECT key, points FROM ${THROTTLE_TABLE} WHERE key = $1`, [`${name}:k`]);
    // One row for both servers; the library counts refused events too.
    expect(rows.rows).toEqual([{ key: `${name}:k`, points: 10 }]);
  });

  it('creates its table once, whichever web server starts first', async () => {
    const started = await Promise.all(Array.from({ length: 4 }, () => webServerLimiters()));
    const t = await throttle(started[3]!.limiters);
    expect(await t.take('k')).toEqual({ ok: true });
  });
});

describe('signing in on two web servers', () => {
  const secret = Buffer.alloc(32, 9);
  let users: User[];

  beforeAll(async () => {
    users = [
      {
        username: 'li',
        name: '李协调',
        roles: ['coordinator'],
        passwordHash: await hashPassword('coordinator-pw', { N: 1024, r: 8, p: 1 }),
      },
    ];
  });

  async function webServer() {
    const { limiters } = await webServerLimiters();
    const auth = createAuth({
      secret,
      users: staticUserDirectory(users),
      templates: new Templates(),
      limiters,
      clientAddress: (c) => c.req.header('x-test-client'),
    });
    const app = new Hono<AuthEnv>();
    app.route('/', auth.routes);
    return app;
  }

  it('counts failed sign-ins across both: the login page from one, the attempts to either', async () => {
    const servers = [await webServer(), await webServer()];
    let next = 0;
    // Behind one address, a browser's requests land on either server: here they alternate.
    const balanced: RequestTarget = { request: (input, init) => servers[next++ % 2]!.request(input, init) };
    const b = new TestBrowser(balanced);
    for (let i = 0; i < LOGIN_LIMITS.free; i++) expect((await b.submitLogin('li', `wrong-${i}`)).status).toBe(401);
    expect((await b.submitLogin('li', 'coordinator-pw')).status).toBe(429);
    expect((await new TestBrowser(servers[0]!).submitLogin('li', 'coordinator-pw')).status).toBe(429);
    expect((await new TestBrowser(servers[1]!).submitLogin('li', 'coordinator-pw')).status).toBe(429);
  });
});

/** The document store in PostgreSQL, on a real server started for this file (test/support/postgres.ts). */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config.js';
import { CONTENT_TABLE, openPool, PostgresContentStore } from '../../infra/postgresStore.js';
import { ContentCorruptError, ContentNotFoundError, LocalContentStore, sha256Hex } from '../../infra/store.js';
import { openStore } from '../../infra/stores.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { replyFixture } from '../support/replyFixture.js';
import { quotaScenario, sweepScenario, unreadableScenario } from '../support/uploadScenarios.js';

let server: TestPostgres;
const pools: pg.Pool[] = [];

/** A store on its own pool, as each worker and web server has. */
function freshStore() {
  const pool = openPool(server.url, 4);
  pools.push(pool);
  return { pool, store: new PostgresContentStore(pool) };
}

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await server?.stop();
});

describe('PostgresContentStore', () => {
  it('gives the same bytes the same hash and stores them once', async () => {
    const { pool, store } = freshStore();
    const a = await store.put(Buffer.from('征求意见稿'));
    const b = await store.put(Buffer.from('征求意见稿'));
    expect(a).toEqual(b);
    expect(a).toEqual({ sha256: sha256Hex(Buffer.from('征求意见稿')), size: Buffer.byteLength('征求意见稿') });
    const rows = await pool.query(`SELECT count(*)::int AS n FROM ${CONTENT_TABLE} WHERE sha256 = $1`, [a.sha256]);
    expect(rows.rows[0].n).toBe(1);
    expect((await store.get(a.sha256)).toString()).toBe('征求意见稿');
    expect(await store.has(a.sha256)).toBe(true);
  });

  it('gives back exactly the bytes it was given, from a slice of a larger buffer too', async () => {
    const { store } = freshStore();
    const whole = Buffer.alloc(3 * 1024 * 1024 + 7);
    for (let i = 0; i < whole.length; i++) whole[i] = (i * 31) % 256;
    const slice = new Uint8Array(whole.buffer, whole.byteOffset + 5, whole.length - 10);
    const { sha256, size } = await store.put(slice);
    expect(size).toBe(whole.length - 10);
    expect(sha256).toBe(sha256Hex(slice));
    expect((await store.get(sha256)).equals(Buffer.from(slice))).toBe(true);
  });

  it('is shared: what one process stores, another reads; both may store the same bytes at once', async () => {
    // Two fresh pools race to create the table and to insert the same row.
    const [one, two] = [freshStore(), freshStore()];
    const bytes = Buffer.from(`reply ${Date.now()}`);
    const [a, b] = await Promise.all([one.store.put(bytes), two.store.put(bytes)]);
    expect(a).toEqual(b);
    expect((await freshStore().store.get(a.sha256)).equals(bytes)).toBe(true);
  });

  it('says clearly when a hash is missing', async () => {
    const { store } = freshStore();
    const missing = sha256Hex('never stored');
    await expect(store.get(missing)).rejects.toBeInstanceOf(ContentNotFoundError);
    await expect(store.get(missing)).rejects.toThrow(`no content with SHA-256 ${missing}`);
    expect(await store.has(missing)).toBe(false);
  });

  it('refuses something that is not a hash', async () => {
    const { store } = freshStore();
    await expect(store.get('../../etc/passwd')).rejects.toThrow(/not a SHA-256/);
    await expect(store.has("x' OR '1'='1")).rejects.toThrow(/not a SHA-256/);
  });

  it('detects bytes changed in the database', async () => {
    const { pool, store } = freshStore();
    const { sha256 } = await store.put(Buffer.from('original'));
    await pool.query(`UPDATE ${CONTENT_TABLE} SET bytes = $2 WHERE sha256 = $1`, [sha256, Buffer.from('tampered')]);
    await expect(store.get(sha256)).rejects.toBeInstanceOf(ContentCorruptError);
  });

  it('fails while its database is missing, and works once it exists (the table is created then)', async () => {
    const pool = openPool(server.url.replace(/\/[^/]+$/, '/created_later'), 2);
    pools.push(pool);
    const store = new PostgresContentStore(pool);
    await expect(store.put(Buffer.from('x'))).rejects.toThrow(/created_later/);
    await freshStore().pool.query('CREATE DATABASE created_later');
    expect(await store.put(Buffer.from('x'))).toEqual({ sha256: sha256Hex('x'), size: 1 });
    expect((await store.get(sha256Hex('x'))).toString()).toBe('x');
  });
});

describe('PostgresContentStore names', () => {
  it('names a hash (an archive by its round), seen from another pool; naming it again moves it', async () => {
    const { store } = freshStore();
    const a = sha256Hex('archive a');
    expect(await store.getName('archive/round:plan:1')).toBeUndefined();
    await store.setName('archive/round:plan:1', a);
    expect(await freshStore().store.getName('archive/round:plan:1')).toBe(a);
    const b = sha256Hex('archive b');
    await store.setName('archive/round:plan:1', b);
    expect(await store.getName('archive/round:plan:1')).toBe(b);
    await expect(store.getName('archive/../x')).rejects.toThrow('not a store name');
  });
});

describe('openStore', () => {
  it('keeps the local folder by default and PostgreSQL with STORE_URL', async () => {
    const local = openStore(loadConfig({}, '/tmp/plan-review-config'));
    expect(local.store).toBeInstanceOf(LocalContentStore);
    expect(local.pool).toBeUndefined();
    await local.close();

    const shared = openStore(loadConfig({ STORE_URL: server.url }));
    expect(shared.store).toBeInstanceOf(PostgresContentStore);
    const { sha256 } = await shared.store.put(Buffer.from('through the configuration'));
    expect((await freshStore().store.get(sha256)).toString()).toBe('through the configuration');
    await shared.close();
  });
});

describe('uploads in PostgreSQL', () => {
  it("refuses an upload past the round's byte quota, storing nothing", async () => {
    await quotaScenario(freshStore().store, 'round:pg-plan:1');
  });
  it('sweeps old uploads no round refers to, and keeps the used, the recent and what was stored before', async () => {
    await sweepScenario(freshStore().store, { ...(await replyFixture()).status, id: 'round:pg-sweep:1' });
  });
  it('deletes nothing when a round cannot be read', async () => {
    await unreadableScenario(freshStore().store, (await replyFixture()).status);
  });
});

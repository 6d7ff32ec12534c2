import { describe, expect, it } from 'vitest';
import { CachedContentStore } from '../../infra/cachedStore.js';
import { loadConfig } from '../../infra/config.js';
import { ContentNotFoundError, LocalContentStore, MemoryContentStore } from '../../infra/store.js';
import { openStore } from '../../infra/stores.js';

/** A store in memory that counts the reads that reach it. */
class CountingStore extends MemoryContentStore {
  reads = 0;
  override async get(sha256: string): Promise<Buffer> {
    this.reads++;
    return super.get(sha256);
  }
}

describe('the content cache of web servers and workers', () => {
  it('reads a hash from the store once, and gives each caller its own copy', async () => {
    const inner = new CountingStore();
    const { sha256 } = await inner.put(Buffer.from('区财政局的意见 The finance bureau’s comments'));
    const store = new CachedContentStore(inner, { maxBytes: 1024 * 1024 });

    const first = await store.get(sha256);
    first.fill(0);
    const second = await store.get(sha256);
    expect(second.toString()).toBe('区财政局的意见 The finance bureau’s comments');
    second.fill(0);
    expect((await store.get(sha256)).toString()).toBe('区财政局的意见 The finance bureau’s comments');
    expect(inner.reads).toBe(1);
  });

  it('keeps what it stores, as stored, whatever the caller does with its bytes afterwards', async () => {
    const inner = new CountingStore();
    const store = new CachedContentStore(inner, { maxBytes: 1024 * 1024 });
    const bytes = Buffer.from('a reply text');
    const { sha256 } = await store.put(bytes);
    bytes.fill(0);
    expect((await store.get(sha256)).toString()).toBe('a reply text');
    expect(inner.reads).toBe(0);
    expect(store.cachedBytes).toBe('a reply text'.length);
  });

  it('reads content larger than an entry may be from the store every time', async () => {
    const inner = new CountingStore();
    const store = new CachedContentStore(inner, { maxBytes: 1024, maxEntryBytes: 100 });
    const { sha256 } = await store.put(Buffer.alloc(101, 1));
    await store.get(sha256);
    await store.get(sha256);
    expect(inner.reads).toBe(2);
    expect(store.cachedBytes).toBe(0);
  });

  it('holds at most its size, dropping the least recently read', async () => {
    const inner = new CountingStore();
    const store = new CachedContentStore(inner, { maxBytes: 250, maxEntryBytes: 100 });
    const a = await store.put(Buffer.alloc(100, 1));
    const b = await store.put(Buffer.alloc(100, 2));
    await store.get(a.sha256); // a is now the most recently read
    await store.put(Buffer.alloc(100, 3)); // 300 bytes: b goes
    expect(store.cachedBytes).toBe(200);
    await store.get(a.sha256);
    expect(inner.reads).toBe(0);
    await store.get(b.sha256);
    expect(inner.reads).toBe(1);
  });

  it('forgets what this process deletes at once, and what another process deleted once an entry expires', async () => {
    const inner = new CountingStore();
    const store = new CachedContentStore(inner, { maxBytes: 1024, ttlMs: 20 });
    const deletedHere = await store.put(Buffer.from('an unused scan'));
    await store.deleteUpload(deletedHere.sha256);
    await expect(store.get(deletedHere.sha256)).rejects.toBeInstanceOf(ContentNotFoundError);

    const deletedElsewhere = await store.put(Buffer.from('another unused scan'));
    await inner.deleteUpload(deletedElsewhere.sha256);
    // Whether the store has it is always the store's answer (an upload is stored again when it lacks it).
    expect(await store.has(deletedElsewhere.sha256)).toBe(false);
    await new Promise((r) => setTimeout(r, 60));
    await expect(store.get(deletedElsewhere.sha256)).rejects.toBeInstanceOf(ContentNotFoundError);
  });

  it('passes names through: a name moves, so it is never cached', async () => {
    const inner = new CountingStore();
    const store = new CachedContentStore(inner, { maxBytes: 1024 });
    const one = await store.put(Buffer.from('archive one'));
    const two = await store.put(Buffer.from('archive two'));
    await store.setName('archive/round:plan:1', one.sha256);
    await inner.setName('archive/round:plan:1', two.sha256);
    expect(await store.getName('archive/round:plan:1')).toBe(two.sha256);
  });

  it('is refused without a size', () => {
    expect(() => new CachedContentStore(new MemoryContentStore(), { maxBytes: 0 })).toThrow(
      'a content cache needs a positive whole number of bytes, not 0',
    );
  });
});

describe('openStore', () => {
  it('caches only for the processes that ask and only with STORE_CACHE_MB above 0', async () => {
    const dir = '/tmp/plan-review-config';
    expect(openStore(loadConfig({}, dir)).store).toBeInstanceOf(LocalContentStore);
    expect(openStore(loadConfig({}, dir), { cached: true }).store).toBeInstanceOf(CachedContentStore);
    expect(openStore(loadConfig({ STORE_CACHE_MB: '0' }, dir), { cached: true }).store).toBeInstanceOf(
      LocalContentStore,
    );
  });
});

import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentCorruptError, ContentNotFoundError, LocalContentStore, sha256Hex } from '../../infra/store.js';

async function freshStore() {
  const root = await mkdtemp(path.join(os.tmpdir(), 'store-'));
  return { root, store: new LocalContentStore(root) };
}

describe('LocalContentStore', () => {
  it('gives the same bytes the same hash and stores them once', async () => {
    const { root, store } = await freshStore();
    const a = await store.put(Buffer.from('征求意见稿'));
    const b = await store.put(Buffer.from('征求意见稿'));
    expect(a).toEqual(b);
    expect(a.sha256).toBe(sha256Hex(Buffer.from('征求意见稿')));
    expect(await readdir(path.join(root, a.sha256.slice(0, 2)))).toEqual([a.sha256]);
    expect((await store.get(a.sha256)).toString()).toBe('征求意见稿');
  });

  it('gives different bytes different hashes', async () => {
    const { store } = await freshStore();
    expect((await store.put(Buffer.from('a'))).sha256).not.toBe((await store.put(Buffer.from('b'))).sha256);
  });

  it('says clearly when a hash is missing', async () => {
    const { store } = await freshStore();
    const missing = sha256Hex('never stored');
    await expect(store.get(missing)).rejects.toBeInstanceOf(ContentNotFoundError);
    await expect(store.get(missing)).rejects.toThrow(`no content with SHA-256 ${missing}`);
    expect(await store.has(missing)).toBe(false);
  });

  it('refuses something that is not a hash', async () => {
    const { store } = await freshStore();
    await expect(store.get('../../etc/passwd')).rejects.toThrow(/not a SHA-256/);
  });

  it('detects bytes changed on disk', async () => {
    const { root, store } = await freshStore();
    const { sha256 } = await store.put(Buffer.from('original'));
    await writeFile(path.join(root, sha256.slice(0, 2), sha256), 'tampered');
    await expect(store.get(sha256)).rejects.toBeInstanceOf(ContentCorruptError);
  });

  it('names a hash (an archive by its round), seen by another store on the same folder; refuses odd names', async () => {
    const { root, store } = await freshStore();
    const { sha256 } = await store.put(Buffer.from('archive'));
    expect(await store.getName('archive/round:plan:1')).toBeUndefined();
    await store.setName('archive/round:plan:1', sha256);
    expect(await new LocalContentStore(root).getName('archive/round:plan:1')).toBe(sha256);
    const other = sha256Hex('another');
    await store.setName('archive/round:plan:1', other);
    expect(await store.getName('archive/round:plan:1')).toBe(other);
    await expect(store.setName('archive/../../etc', sha256)).rejects.toThrow('not a store name');
    await expect(store.setName('archive/round:plan:1', 'abc')).rejects.toThrow('not a SHA-256');
  });
});

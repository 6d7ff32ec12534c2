/**
 * A bounded in-memory cache in front of the document store, for the processes that run for long
 * (web servers and workers). A round reads the same bytes again and again: each of its reply texts
 * is read for its confirmation emails, its outcome notice, the review record and its outcome page,
 * and the plan's text for each email, 48 lookups a round without this cache (BENCHMARKS.md), each a
 * PostgreSQL round trip on a cluster or a file read and a hash on the embedded stack.
 *
 * Content is addressed by its SHA-256, so bytes read (checked by the store) or stored (hashed here)
 * once stay right for that hash. Callers get their own copy, never the cached buffer. Only deletion
 * can make a cached entry stale: this process's own deletions (deleteUpload) drop it at once, and
 * entries expire after `ttlMs`, so bytes that another process deleted (the upload sweep, which only
 * deletes what no round uses) are not served for longer than that; whether the store has a hash is
 * always asked of the store. Names are never cached: a name moves. The CLI opens the store without
 * this cache, so an auditor's verification reads the stored bytes themselves (infra/stores.ts).
 */
import { LRUCache } from 'lru-cache';
import type { UploadRecord, UploadStore } from './uploads.js';

export interface ContentCacheOptions {
  /** The cache's whole size. */
  maxBytes: number;
  /** Larger content (a full-size scan, a plan's PDF) is read from the store every time. */
  maxEntryBytes?: number;
  /** How long an entry is served before it is read from the store again. */
  ttlMs?: number;
}

const DEFAULT_MAX_ENTRY_BYTES = 4 * 1024 * 1024;
const DEFAULT_TTL_MS = 10 * 60_000;

export class CachedContentStore implements UploadStore {
  private readonly cache: LRUCache<string, Buffer>;

  constructor(
    private readonly inner: UploadStore,
    options: ContentCacheOptions,
  ) {
    if (!Number.isInteger(options.maxBytes) || options.maxBytes <= 0)
      throw new Error(`a content cache needs a positive whole number of bytes, not ${options.maxBytes}`);
    this.cache = new LRUCache<string, Buffer>({
      maxSize: options.maxBytes,
      maxEntrySize: Math.min(options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES, options.maxBytes),
      // An empty file still takes an entry.
      sizeCalculation: (bytes) => Math.max(1, bytes.byteLength),
      ttl: options.ttlMs ?? DEFAULT_TTL_MS,
    });
  }

  private keep(sha256: string, bytes: Buffer): void {
    // lru-cache leaves out what exceeds maxEntrySize.
    this.cache.set(sha256, bytes);
  }

  async put(bytes: Uint8Array): Promise<{ sha256: string; size: number }> {
    const stored = await this.inner.put(bytes);
    this.keep(stored.sha256, Buffer.from(bytes));
    return stored;
  }

  async get(sha256: string): Promise<Buffer> {
    const cached = this.cache.get(sha256);
    if (cached) return Buffer.from(cached);
    const bytes = await this.inner.get(sha256);
    this.keep(sha256, Buffer.from(bytes));
    return bytes;
  }

  /**
   * Always the store's answer: an upload is stored only when the store lacks its bytes
   * (infra/uploads.ts), and a cached copy of bytes the sweep has since deleted must not stop that.
   */
  has(sha256: string): Promise<boolean> {
    return this.inner.has(sha256);
  }

  setName(name: string, sha256: string): Promise<void> {
    return this.inner.setName(name, sha256);
  }

  getName(name: string): Promise<string | undefined> {
    return this.inner.getName(name);
  }

  recordUpload(record: UploadRecord): Promise<void> {
    return this.inner.recordUpload(record);
  }

  uploadedBytes(roundId: string): Promise<number> {
    return this.inner.uploadedBytes(roundId);
  }

  uploadsBefore(cutoff: Date): Promise<UploadRecord[]> {
    return this.inner.uploadsBefore(cutoff);
  }

  forgetUpload(sha256: string): Promise<void> {
    return this.inner.forgetUpload(sha256);
  }

  async deleteUpload(sha256: string): Promise<void> {
    this.cache.delete(sha256);
    await this.inner.deleteUpload(sha256);
    // A read that raced the deletion may have put the bytes back.
    this.cache.delete(sha256);
  }

  /** What the cache holds now (for tests and benchmarks). */
  get cachedBytes(): number {
    return this.cache.calculatedSize;
  }
}

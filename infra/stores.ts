/** Where the document store lives: the local folder (embedded default) or PostgreSQL (STORE_URL). */
import type pg from 'pg';
import { CachedContentStore } from './cachedStore.js';
import type { Config } from './config.js';
import { openPool, PostgresContentStore } from './postgresStore.js';
import { LocalContentStore } from './store.js';
import type { UploadStore } from './uploads.js';

export interface OpenedStore {
  /** The document store, which also records uploads (infra/uploads.ts). */
  store: UploadStore;
  /** The PostgreSQL pool when STORE_URL is set (the web server keeps its throttles there too). */
  pool?: pg.Pool;
  close(): Promise<void>;
}

/**
 * Opens the document store. `cached`: for the processes that run for long (web servers, workers),
 * with STORE_CACHE_MB of content kept in memory (infra/cachedStore.ts); the CLI reads the store
 * itself, so that an auditor's verification checks the stored bytes.
 */
export function openStore(
  config: Pick<Config, 'STORE_URL' | 'STORE_CACHE_MB' | 'paths'>,
  { cached = false }: { cached?: boolean } = {},
): OpenedStore {
  const withCache = (store: UploadStore) =>
    cached && config.STORE_CACHE_MB > 0
      ? new CachedContentStore(store, { maxBytes: config.STORE_CACHE_MB * 1024 * 1024 })
      : store;
  if (!config.STORE_URL)
    return { store: withCache(new LocalContentStore(config.paths.store)), close: async () => undefined };
  const pool = openPool(config.STORE_URL);
  return { store: withCache(new PostgresContentStore(pool)), pool, close: () => pool.end() };
}

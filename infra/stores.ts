/** Where the document store lives: the local folder (embedded default) or PostgreSQL (STORE_URL). */
import type pg from 'pg';
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

export function openStore(config: Pick<Config, 'STORE_URL' | 'paths'>): OpenedStore {
  if (!config.STORE_URL) return { store: new LocalContentStore(config.paths.store), close: async () => undefined };
  const pool = openPool(config.STORE_URL);
  return { store: new PostgresContentStore(pool), pool, close: () => pool.end() };
}

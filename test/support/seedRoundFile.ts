/** The seed round file, rewritten for a test that runs against a shared server. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { SEED_ROUND_FILE } from '../../bench/support/seedRound.js';

/** A copy of the seed round file with a unique plan id (runs against one server never collide) and absolute paths. */
export async function writeSeedRoundFile(
  dir: string,
  planId: string,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const round = parseYaml(await readFile(SEED_ROUND_FILE, 'utf8')) as {
    documents: { path: string }[];
    bureaus: string;
  };
  const resolve = (p: string) => path.resolve(path.dirname(SEED_ROUND_FILE), p);
  const copy = {
    ...round,
    planId,
    documents: round.documents.map((d) => ({ ...d, path: resolve(d.path) })),
    bureaus: resolve(round.bureaus),
    ...overrides,
  };
  const file = path.join(dir, `${planId}.yaml`);
  await writeFile(file, stringifyYaml(copy));
  return file;
}

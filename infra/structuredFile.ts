/**
 * Files people write (round files, bureau lists, paper replies): YAML, or JSON by its extension,
 * read and checked against a schema, every problem named with its place in the file.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';

export class FileProblemsError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'FileProblemsError';
  }
}

/** How an issue reads: zod's message by default; the CLI's newer commands give the catalog's words (issueMessage). */
type Describe = (issue: z.core.$ZodIssue) => string;

export function zodProblems(err: z.ZodError, describe: Describe = (i) => i.message): string[] {
  return err.issues.map((i) => `${i.path.length ? i.path.join('.') : '(file)'}: ${describe(i)}`);
}

export async function readStructuredFile<S extends z.ZodType>(
  file: string,
  schema: S,
  describe?: Describe,
): Promise<z.output<S>> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (err) {
    throw new FileProblemsError(file, [`cannot read: ${(err as Error).message}`]);
  }
  let value: unknown;
  try {
    value = file.endsWith('.json') ? JSON.parse(raw) : parseYaml(raw);
  } catch (err) {
    throw new FileProblemsError(file, [
      `not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
    ]);
  }
  const parsed = schema.safeParse(value, { reportInput: true });
  if (!parsed.success) throw new FileProblemsError(file, zodProblems(parsed.error, describe));
  return parsed.data;
}

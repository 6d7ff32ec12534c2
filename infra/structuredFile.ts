/**
 * Files people write (round files, bureau lists, paper replies, opinions): YAML, or JSON by its
 * extension, read and checked against a schema, every problem named with its place in the file; and
 * files taken as they are (scans, revised versions), checked by their bytes.
 */
import { readFile, stat } from 'node:fs/promises';
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

/** The largest file the CLI reads (round files, documents, scans): far above any real one. */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** How an issue reads: zod's message by default; the CLI's newer commands give the catalog's words (issueMessage). */
type Describe = (issue: z.core.$ZodIssue) => string;

export function zodProblems(err: z.ZodError, describe: Describe = (i) => i.message): string[] {
  return err.issues.map((i) => `${i.path.length ? i.path.join('.') : '(file)'}: ${describe(i)}`);
}

/** A file's bytes, once `problem` finds nothing wrong with them; an unreadable file or a problem names the file. */
export async function readCheckedFile(
  file: string,
  problem: (bytes: Uint8Array) => string | undefined = () => undefined,
): Promise<Buffer> {
  let bytes: Buffer;
  try {
    // A device or a pipe (/dev/zero, a FIFO) would be read without end: only regular files, of a bounded size.
    const info = await stat(file);
    if (!info.isFile()) throw new FileProblemsError(file, ['is not a regular file']);
    if (info.size > MAX_FILE_BYTES)
      throw new FileProblemsError(file, [`is too large (${info.size} bytes; at most ${MAX_FILE_BYTES})`]);
    bytes = await readFile(file);
  } catch (err) {
    if (err instanceof FileProblemsError) throw err;
    throw new FileProblemsError(file, [`cannot read: ${(err as Error).message}`]);
  }
  const found = problem(bytes);
  if (found) throw new FileProblemsError(file, [found]);
  return bytes;
}

export async function readStructuredFile<S extends z.ZodType>(
  file: string,
  schema: S,
  describe?: Describe,
): Promise<z.output<S>> {
  const raw = (await readCheckedFile(file)).toString('utf8');
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

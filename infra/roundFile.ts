/**
 * Reads a round file (YAML or JSON), validates it, puts its documents into the store and resolves
 * its times, producing the reviewRound workflow's input. Errors name the file and the field. The
 * CLI reads the file and the paths it names from disk (loadRoundFile); the web reads them from the
 * files uploaded together (roundInputFrom with uploadedRoundFiles): one reading, one schema.
 */
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { durationMs, parseInstantInput } from '../domain/time.js';
import { issueText, messageText, type Text } from '../domain/messages.js';
import { z } from 'zod';
import { Bureau, type Actor } from '../domain/records.js';
import { RoundFile, RoundInput, type DeadlineSpec } from '../domain/round.js';
import { DocumentFormatError, parseDocument } from './documents.js';
import type { ContentStore } from './store.js';
import { FileProblemsError, readCheckedFile } from './structuredFile.js';

/** A problem of a round file as a person reads it: the field, and what is wrong in Chinese and English. */
export interface RoundFileProblem extends Text {
  field: string;
  /** A file the round file names that is not there (on disk, or among the uploads): the page shows it beside the files. */
  missingFile?: string;
}

/**
 * A round file (or its bureau list) with problems, each named: `problems` as the CLI prints them,
 * `fields` in Chinese and English for a page to show beside each field.
 */
export class RoundFileError extends FileProblemsError {
  constructor(
    file: string,
    problems: string[],
    readonly fields: RoundFileProblem[],
  ) {
    super(file, problems);
    this.name = 'RoundFileError';
  }
}

/** Where a round file comes from, and the files its relative paths (documents, bureau list) name. */
export interface RoundFileSource {
  /** The round file's name (its path on disk, or the uploaded file's name). */
  name: string;
  text: string;
  /** The bytes of a path the round file names, or what was tried when there is no such file. */
  read(relative: string): Promise<{ bytes: Buffer } | { missing: string }>;
}

/** A round file on disk: its paths relative to its folder. */
export async function roundFileOnDisk(file: string): Promise<RoundFileSource> {
  let text: string;
  try {
    // Only a regular file of bounded size: a device or a pipe would be read without end.
    text = (await readCheckedFile(file)).toString('utf8');
  } catch (err) {
    if (!(err instanceof FileProblemsError)) throw err;
    throw new RoundFileError(file, err.problems, [
      { field: '(file)', ...messageText('roundFileUnreadable', { name: file }) },
    ]);
  }
  const dir = path.dirname(file);
  return {
    name: file,
    text,
    read: async (relative) => {
      const full = path.resolve(dir, relative);
      try {
        return { bytes: await readCheckedFile(full) };
      } catch (err) {
        if (!(err instanceof FileProblemsError)) throw err;
        return { missing: `${err.problems.join('; ')} (${full})` };
      }
    },
  };
}

/**
 * A round file uploaded with the files it names: each path is matched by its file name alone (a
 * browser sends names, not folders).
 */
export function uploadedRoundFiles(
  roundFile: { name: string; bytes: Buffer },
  files: Array<{ name: string; bytes: Buffer }>,
): RoundFileSource {
  const byName = new Map(files.map((f) => [path.basename(f.name), f.bytes]));
  return {
    name: roundFile.name,
    text: roundFile.bytes.toString('utf8'),
    read: async (relative) => {
      const bytes = byName.get(path.basename(relative));
      return bytes ? { bytes } : { missing: `no uploaded file named ${path.basename(relative)}` };
    },
  };
}

/** Resolves a deadline: a duration from the start, or a date-time (local to the round's zone unless it says otherwise). */
export function resolveDeadline(value: string, timeZone: string): DeadlineSpec {
  if (value.startsWith('P')) return { afterMs: durationMs(value) };
  const at = parseInstantInput(value, timeZone);
  if (at === undefined) throw new Error('not a real date and time');
  return { at };
}

export interface LoadedRound {
  input: RoundInput;
  warnings: string[];
}

export async function loadRoundFile(
  file: string,
  store: ContentStore,
  opts: { startedBy: Actor; messageIdDomain: string },
): Promise<LoadedRound> {
  return roundInputFrom(await roundFileOnDisk(file), store, opts);
}

/** Problems gathered as the CLI prints them and as a page shows them, together. */
class Problems {
  readonly lines: string[] = [];
  readonly fields: RoundFileProblem[] = [];
  add(field: string, line: string, text: Text, missingFile?: string) {
    this.lines.push(`${field}: ${line}`);
    this.fields.push({ field, ...text, ...(missingFile !== undefined && { missingFile }) });
  }
  zod(err: z.ZodError, prefix = '') {
    for (const issue of err.issues) {
      const field = prefix + (issue.path.length ? issue.path.join('.') : '(file)');
      this.add(field, issue.message, issueText(issue));
    }
  }
  get any(): boolean {
    return this.lines.length > 0;
  }
  error(file: string): RoundFileError {
    return new RoundFileError(file, this.lines, this.fields);
  }
}

function parseStructured(name: string, text: string): { value: unknown } | { error: string } {
  try {
    return { value: name.endsWith('.json') ? JSON.parse(text) : parseYaml(text) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

export async function roundInputFrom(
  source: RoundFileSource,
  store: ContentStore,
  opts: { startedBy: Actor; messageIdDomain: string },
): Promise<LoadedRound> {
  const file = source.name;
  const problems = new Problems();
  const warnings: string[] = [];
  const format = file.endsWith('.json') ? 'JSON' : 'YAML';

  const parsedFile = parseStructured(file, source.text);
  if ('error' in parsedFile) {
    problems.add('(file)', `not valid ${format}: ${parsedFile.error}`, messageText('roundFileSyntax', { format }));
    throw problems.error(file);
  }
  const checked = RoundFile.safeParse(parsedFile.value, { reportInput: true });
  if (!checked.success) {
    problems.zod(checked.error);
    throw problems.error(file);
  }
  const round = checked.data;

  let bureaus: Bureau[] = [];
  if (typeof round.bureaus === 'string') {
    const found = await source.read(round.bureaus);
    const field = `bureaus (${round.bureaus})`;
    if ('missing' in found) {
      const name = path.basename(round.bureaus);
      problems.add('bureaus', found.missing, messageText('roundFileMissing', { name }), name);
    } else {
      const list = parseStructured(round.bureaus, found.bytes.toString('utf8'));
      if ('error' in list) {
        problems.add(field, `not valid YAML: ${list.error}`, messageText('roundFileSyntax', { format: 'YAML' }));
      } else {
        const parsed = z.array(Bureau).min(1).safeParse(list.value, { reportInput: true });
        if (parsed.success) bureaus = parsed.data;
        else problems.zod(parsed.error, `${field}.`);
      }
    }
  } else {
    bureaus = round.bureaus;
  }

  const documents: RoundInput['documents'] = [];
  for (const [i, doc] of round.documents.entries()) {
    const found = await source.read(doc.path);
    if ('missing' in found) {
      const name = path.basename(doc.path);
      problems.add(`documents.${i}.path`, found.missing, messageText('roundFileMissing', { name }), name);
      continue;
    }
    const { bytes } = found;
    try {
      const parsedDoc = parseDocument(bytes.toString('utf8'));
      warnings.push(...parsedDoc.warnings.map((w) => `${doc.path}: ${w}`));
    } catch (err) {
      if (err instanceof DocumentFormatError) {
        problems.add(
          `documents.${i} (${doc.path})`,
          err.message,
          messageText('roundFileDocument', { name: doc.path, detail: err.message }),
        );
        continue;
      }
      throw err;
    }
    const { sha256 } = await store.put(bytes);
    documents.push({ key: doc.key, title: doc.title, sha256 });
  }

  let deadline: DeadlineSpec | undefined;
  try {
    deadline = resolveDeadline(round.deadline, round.timeZone);
  } catch (err) {
    problems.add(
      'deadline',
      `${JSON.stringify(round.deadline)} is neither an ISO-8601 duration (P14D) nor a date-time (2022-02-17T18:00): ${(err as Error).message}`,
      messageText('roundFileDeadline'),
    );
  }
  if (problems.any) throw problems.error(file);

  const input = RoundInput.safeParse({
    planId: round.planId,
    n: round.round,
    title: round.title,
    timeZone: round.timeZone,
    coordinator: { ...round.coordinator, role: 'coordinator' },
    documents,
    bureaus: bureaus.map((b) => ({ ...b, timeZone: b.timeZone ?? round.timeZone })),
    deadline,
    reminderOffsetsMs: round.reminders.map(durationMs).sort((a, b) => b - a),
    graceMs: durationMs(round.grace),
    startedBy: opts.startedBy,
    messageIdDomain: opts.messageIdDomain,
    stages: round.stages,
    objectionWindowMs: durationMs(round.objectionWindow),
  });
  if (!input.success) {
    problems.zod(input.error);
    throw problems.error(file);
  }
  return { input: input.data, warnings };
}

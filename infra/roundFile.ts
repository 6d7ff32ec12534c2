/**
 * Reads a round file (YAML or JSON), validates it, puts its documents into the store and resolves
 * its times, producing the reviewRound workflow's input. Errors name the file and the field.
 */
import path from 'node:path';
import { durationMs, parseInstantInput } from '../domain/time.js';
import { z } from 'zod';
import { Bureau, type Actor } from '../domain/records.js';
import { RoundFile, RoundInput, type DeadlineSpec } from '../domain/round.js';
import { DocumentFormatError, parseDocument } from './documents.js';
import type { ContentStore } from './store.js';
import { FileProblemsError, readCheckedFile, readStructuredFile, zodProblems } from './structuredFile.js';

/** A round file (or its bureau list) with problems, each named. */
export { FileProblemsError as RoundFileError };

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
  const round = await readStructuredFile(file, RoundFile);
  const dir = path.dirname(file);
  const problems: string[] = [];
  const warnings: string[] = [];

  let bureaus: Bureau[] = [];
  if (typeof round.bureaus === 'string') {
    const bureausFile = path.resolve(dir, round.bureaus);
    bureaus = await readStructuredFile(bureausFile, z.array(Bureau).min(1));
  } else {
    bureaus = round.bureaus;
  }

  const documents: RoundInput['documents'] = [];
  for (const [i, doc] of round.documents.entries()) {
    const docPath = path.resolve(dir, doc.path);
    let bytes: Buffer;
    try {
      bytes = await readCheckedFile(docPath);
    } catch (err) {
      if (!(err instanceof FileProblemsError)) throw err;
      problems.push(`documents.${i}.path: ${err.problems.join('; ')} (${docPath})`);
      continue;
    }
    try {
      const parsedDoc = parseDocument(bytes.toString('utf8'));
      warnings.push(...parsedDoc.warnings.map((w) => `${doc.path}: ${w}`));
    } catch (err) {
      if (err instanceof DocumentFormatError) {
        problems.push(`documents.${i} (${doc.path}): ${err.message}`);
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
    problems.push(
      `deadline: ${JSON.stringify(round.deadline)} is neither an ISO-8601 duration (P14D) nor a date-time (2022-02-17T18:00): ${(err as Error).message}`,
    );
  }
  if (problems.length > 0) throw new FileProblemsError(file, problems);

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
  if (!input.success) throw new FileProblemsError(file, zodProblems(input.error));
  return { input: input.data, warnings };
}

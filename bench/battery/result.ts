/**
 * The shape every part of the reliability battery writes its result in (test-output/battery/<name>.json),
 * and the one RELIABILITY.md's table is written from: the faults and load run here, the hostile-input
 * run (`npm run battery:hostile`) and any later part write this same shape.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export const BatteryFigure = z.union([z.number(), z.string(), z.boolean()]);

export const BatteryResult = z.object({
  /** What was run, e.g. "worker killed while invitations are sent". */
  name: z.string().min(1),
  /** The command that reproduces it. */
  command: z.string().min(1),
  /** Whether every invariant held. */
  ok: z.boolean(),
  /** What was measured, by name (replies lost, duplicate emails, seconds...). */
  figures: z.record(z.string(), BatteryFigure),
  /** The invariants that broke, in words; empty when ok. */
  broken: z.array(z.string()).default([]),
  /** When the run ended (ISO 8601). */
  at: z.string().optional(),
});
export type BatteryResult = z.infer<typeof BatteryResult>;
export type BatteryFigures = BatteryResult['figures'];

export const BATTERY_RESULTS_DIR = 'test-output/battery';

/** A result's file: its name made safe for a file name. */
export function resultFileName(name: string): string {
  return `${
    name
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase() || 'result'
  }.json`;
}

export async function writeResult(dir: string, result: BatteryResult): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, resultFileName(result.name));
  await writeFile(file, JSON.stringify(BatteryResult.parse(result), null, 2) + '\n');
  return file;
}

/** Every result file in `dir`, by file name; a file that is not a result is reported, never skipped silently. */
export async function readResults(dir: string): Promise<{ results: BatteryResult[]; unreadable: string[] }> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { results: [], unreadable: [] };
    throw err;
  }
  const results: BatteryResult[] = [];
  const unreadable: string[] = [];
  for (const f of files) {
    try {
      results.push(BatteryResult.parse(JSON.parse(await readFile(path.join(dir, f), 'utf8'))));
    } catch (err) {
      unreadable.push(`${f}: ${err instanceof z.ZodError ? z.prettifyError(err) : (err as Error).message}`);
    }
  }
  return { results, unreadable };
}

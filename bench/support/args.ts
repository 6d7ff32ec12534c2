/** The benchmarks' command-line options, parsed with zod: a wrong value is named and the run stops. */
import { parseArgs } from 'node:util';
import { z } from 'zod';

const count = z.coerce.number().int().positive();

export const CommonArgs = z.object({
  rounds: count,
  target: z.enum(['devserver', 'cluster']).default('devserver'),
  workers: count.default(1),
  /** Web servers started for the run; requests alternate between them. */
  webServers: count.optional(),
});

/** Parses `--name value` options (kebab-case on the command line, camelCase in the schema). */
export function benchArgs<S extends z.ZodObject>(schema: S, argv = process.argv.slice(2)): z.infer<S> {
  const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const keys = Object.keys(schema.shape);
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(keys.map((k) => [kebab(k), { type: 'string' as const }])),
    strict: true,
  });
  const raw = Object.fromEntries(keys.map((k) => [k, values[kebab(k)]]));
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) console.error(`--${kebab(String(issue.path[0]))}: ${issue.message}`);
    process.exit(2);
  }
  return parsed.data;
}

/**
 * Generated hostile files for every file the CLI reads with zod: the round file and its bureau
 * list, the seed review files (replies, dispositions, the expert review), the users file, a bureau
 * to add, a paper reply, an experts list and the experts' opinions. Each starts from a file that is
 * read as it is (a seed file, or the example the README gives) and is mutated structurally
 * (test/hostile/generators.ts) or at the byte level (not UTF-8, a NUL, a byte-order mark, cut short).
 *
 * Invariants: the reader either returns or throws its own error naming the file and the problem
 * (never a TypeError, never a hang); what it returns holds no direction controls, control characters
 * or line breaks in one-line fields.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml, stringify } from 'yaml';
import { z } from 'zod';
import { Bureau } from '../../domain/records.js';
import { ExpertDraft } from '../../domain/expertReview.js';
import { loadRoundFile } from '../../infra/roundFile.js';
import { loadSeedReview } from '../../infra/seedReview.js';
import { FileProblemsError, readStructuredFile } from '../../infra/structuredFile.js';
import { MemoryContentStore } from '../../infra/store.js';
import { hashPassword, parseUsers, UsersFileError } from '../../infra/users.js';
import { OpinionsFile } from '../../cli/reviewCommands.js';
import { PaperReplyFile } from '../../cli/users.js';
import { fileMutation, mutateValue } from './generators.js';
import { DOC_ECO, DOC_PROTECTION } from '../support/replyFixture.js';
import { badText } from './badText.js';
import type { RouteCount } from './webRoutes.js';

const SEEDS = new URL('../../seeds/', import.meta.url);
const seedPath = (p: string) => new URL(p, SEEDS).pathname;

/** One kind of file: a valid value of it, how to write it, and the CLI's own reader. */
interface FileCase {
  name: string;
  /** The file's name in the folder it is read from. */
  fileName: string;
  /** A valid value of the file; `dir` is where it is read from. */
  base(dir: string): Promise<unknown>;
  /** Reads the file in `dir` as the CLI does. */
  read(dir: string): Promise<unknown>;
  /** Other files the reader needs beside it (copied as they are). */
  beside?: Record<string, string>;
}

const yamlOf = async (p: string): Promise<unknown> => parseYaml(await readFile(seedPath(p), 'utf8'));

const SEED_REVIEW_FILES = ['replies.yaml', 'dispositions.yaml', 'expert-review.yaml'] as const;

function seedReviewCase(file: (typeof SEED_REVIEW_FILES)[number]): FileCase {
  return {
    name: `seed review ${file}`,
    fileName: file,
    base: () => yamlOf(`review/${file}`),
    beside: Object.fromEntries(SEED_REVIEW_FILES.filter((f) => f !== file).map((f) => [f, seedPath(`review/${f}`)])),
    read: (dir) => loadSeedReview(dir),
  };
}

export const FILE_CASES: FileCase[] = [
  {
    name: 'round file',
    fileName: 'round.yaml',
    base: async (dir) => {
      // The reply tests' two small drafts (the seed's are slow to parse a thousand times), beside the file.
      await writeFile(path.join(dir, 'protection.md'), DOC_PROTECTION);
      await writeFile(path.join(dir, 'eco.md'), DOC_ECO);
      const round = (await yamlOf('rounds/xinrong-round-1.yaml')) as {
        documents: { path: string }[];
        bureaus: string;
      };
      round.documents[0]!.path = 'protection.md';
      round.documents[1]!.path = 'eco.md';
      round.bureaus = seedPath('bureaus.yaml');
      return round;
    },
    read: (dir) =>
      loadRoundFile(path.join(dir, 'round.yaml'), new MemoryContentStore(), {
        startedBy: { name: '测试协调人', role: 'coordinator' },
        messageIdDomain: 'plan-review.test',
      }),
  },
  {
    name: 'bureau list',
    fileName: 'bureaus.yaml',
    base: () => yamlOf('bureaus.yaml'),
    read: (dir) => readStructuredFile(path.join(dir, 'bureaus.yaml'), z.array(Bureau).min(1)),
  },
  ...SEED_REVIEW_FILES.map(seedReviewCase),
  {
    name: 'users file',
    fileName: 'users.yaml',
    base: async () => [
      {
        username: 'li',
        name: '李协调',
        email: 'li@example.org',
        roles: ['coordinator'],
        passwordHash: await hashPassword('coordinator-pw', { N: 1024, r: 8, p: 1 }),
      },
      {
        username: 'zhou',
        name: '周审计',
        roles: ['auditor', 'approver'],
        passwordHash: await hashPassword('x', { N: 1024, r: 8, p: 1 }),
      },
    ],
    read: async (dir) => {
      const file = path.join(dir, 'users.yaml');
      return parseUsers(file, await readFile(file, 'utf8'));
    },
  },
  {
    name: 'bureau to add',
    fileName: 'bureau.yaml',
    base: async () => ((await yamlOf('bureaus.yaml')) as unknown[])[0],
    read: (dir) => readStructuredFile(path.join(dir, 'bureau.yaml'), Bureau),
  },
  {
    name: 'paper reply',
    fileName: 'paper.yaml',
    base: async () => ({
      responder: { name: '王明', position: '办公室主任' },
      receivedAt: '2022-02-10T10:00',
      perDocument: {
        'eco-plan': [{ section: '1.1', text: '森林覆盖率目标应与林业规划一致。', suggestedChange: '改为 27.04%' }],
        protection: 'noComments',
      },
    }),
    read: (dir) => readStructuredFile(path.join(dir, 'paper.yaml'), PaperReplyFile),
  },
  {
    name: 'experts list',
    fileName: 'experts.yaml',
    base: async () => [{ name: '李华', title: '教授', organisation: '山西大学', email: 'lihua@expert.example.org' }],
    read: (dir) =>
      readStructuredFile(path.join(dir, 'experts.yaml'), z.array(z.strictObject(ExpertDraft.shape)).min(1)),
  },
  {
    name: 'opinions',
    fileName: 'opinions.yaml',
    base: async () => ({
      opinions: ['补充水资源约束分析。', '细化林草指标。'],
      signedOn: '2022-01-21',
      signedBy: '李华',
    }),
    read: (dir) => readStructuredFile(path.join(dir, 'opinions.yaml'), OpinionsFile),
  },
];

/** How the mutated value is written: as YAML, or its bytes spoiled. */
type Spoil = 'none' | 'notUtf8' | 'nul' | 'bom' | 'cut' | 'flowStyle' | 'aliasBomb';

const spoil: fc.Arbitrary<Spoil> = fc.oneof(
  { weight: 8, arbitrary: fc.constant('none' as const) },
  fc.constantFrom<Spoil>('notUtf8', 'nul', 'bom', 'cut', 'flowStyle', 'aliasBomb'),
);

function bytesOf(value: unknown, how: Spoil, cutAt: number): Buffer {
  const text = stringify(value, { lineWidth: 0 });
  switch (how) {
    case 'notUtf8':
      return Buffer.concat([
        Buffer.from(text.slice(0, cutAt % (text.length + 1))),
        Buffer.from([0xff, 0xfe, 0xc0, 0xaf]),
        Buffer.from(text.slice(cutAt % (text.length + 1))),
      ]);
    case 'nul':
      return Buffer.from(`${text.slice(0, cutAt % (text.length + 1))}\u0000${text.slice(cutAt % (text.length + 1))}`);
    case 'bom':
      return Buffer.from(`\ufeff${text}`);
    case 'cut':
      return Buffer.from(text.slice(0, cutAt % (text.length + 1)));
    case 'flowStyle':
      return Buffer.from(JSON.stringify(value) ?? 'null');
    case 'aliasBomb':
      // Nested aliases: a few lines that expand to a billion entries if a reader follows them.
      return Buffer.from(
        'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n',
      );
    default:
      return Buffer.from(text);
  }
}

/** The reader's own errors: a file with problems, each named. */
const ownError = (err: unknown) =>
  (err instanceof FileProblemsError || err instanceof UsersFileError) && err.message.trim().length > 0;

export async function runFile(c: FileCase, numRuns: number, seed: number): Promise<RouteCount> {
  const count: RouteCount = { route: `file ${c.name}`, runs: 0, accepted: 0, refused: 0 };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'plan-review-hostile-file-'));
  try {
    const base = await c.base(dir);
    for (const [name, from] of Object.entries(c.beside ?? {})) await copyFile(from, path.join(dir, name));
    await fc.assert(
      fc.asyncProperty(fileMutation, spoil, fc.nat(), fc.boolean(), async (mutations, how, cutAt, mutate) => {
        const value = mutate ? mutateValue(base, mutations) : base;
        await writeFile(path.join(dir, c.fileName), bytesOf(value, how, cutAt));
        count.runs++;
        let read: unknown;
        try {
          read = await c.read(dir);
        } catch (err) {
          if (!ownError(err)) throw err;
          count.refused++;
          return;
        }
        count.accepted++;
        const bad = badText(read);
        if (bad) throw new Error(`the ${c.name} was read with text it should have refused: ${bad}`);
      }),
      { numRuns, seed, endOnFailure: true },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return count;
}

/** Every file kind, each with `numRuns` generated files from a fixed seed. */
export async function runAllFiles(numRuns: number, seed: number): Promise<RouteCount[]> {
  const counts: RouteCount[] = [];
  for (const c of FILE_CASES) counts.push(await runFile(c, numRuns, seed));
  return counts;
}

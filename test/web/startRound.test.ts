/**
 * Starting a round from the web (web/startRoundRoutes.ts): the seed's round file uploaded with its
 * documents and bureau list becomes the same workflow input as `plan-review round start` reads
 * from disk (infra/roundFile.ts), and the coordinator lands on the round's page; a wrong file is
 * refused field by field in Chinese and English, nothing started; only coordinators may.
 */
import { fixtureApp } from '../support/fixtureApp.js';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadRoundFile } from '../../infra/roundFile.js';
import { MemoryContentStore } from '../../infra/store.js';
import { replyFixture, ROUND_ID, type ReplyFixture } from '../support/replyFixture.js';
import { TestBrowser } from '../support/testBrowser.js';

const SEEDS = new URL('../../seeds/', import.meta.url);
const ROUND_FILE = fileURLToPath(new URL('rounds/xinrong-round-1.yaml', SEEDS));
const SEED_FILES = ['documents/eco-protection-plan.md', 'plan/xinrong-eco-plan.md', 'bureaus.yaml'];
const SEED_ROUND = 'round:xinrong-eco-plan:1';

let fx: ReplyFixture;
let app: Hono;

beforeEach(async () => {
  fx = await replyFixture();
  app = await fixtureApp(fx, { PUBLIC_URL: 'http://localhost/' });
});

const file = async (relative: string, name = relative.split('/').pop()!) =>
  new File([new Uint8Array(await readFile(new URL(relative, SEEDS)))], name);

async function post(b: TestBrowser, roundFile: File | undefined, files: File[]) {
  const form = await (await b.fetch('/new-round')).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(form.slice(form.indexOf('round-new-form')))![1]!;
  const body = new FormData();
  body.set('csrf', csrf);
  if (roundFile) body.set('roundFile', roundFile);
  for (const f of files) body.append('files', f);
  return b.fetch('/new-round', { method: 'POST', body });
}

const visible = (html: string) => html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');

describe('starting a round from the web', () => {
  it("reads the seed's round file with the CLI's code and lands on the new round's page", async () => {
    const li = await new TestBrowser(app).login('li', 'coordinator-pw');
    expect(visible(await (await li.fetch('/')).text())).toContain('开始新的审查轮次 Start a round');
    const res = await post(
      li,
      await file('rounds/xinrong-round-1.yaml'),
      await Promise.all(SEED_FILES.map((f) => file(f))),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/rounds/${SEED_ROUND}/manage`);
    const started = fx.fake.round(SEED_ROUND);
    expect(started.bureaus).toHaveLength(7);
    expect(started.startedBy).toMatchObject({ name: '李协调', role: 'coordinator' });

    // The same input `plan-review round start` builds from disk: the documents by the same hashes.
    const fromDisk = await loadRoundFile(ROUND_FILE, new MemoryContentStore(), {
      startedBy: { name: '李协调', role: 'coordinator' },
      messageIdDomain: 'localhost',
    });
    expect(started.documents.map((d) => [d.key, d.title])).toEqual(
      fromDisk.input.documents.map((d) => [d.key, d.title]),
    );
    for (const d of fromDisk.input.documents) expect(await fx.store.has(d.sha256), d.key).toBe(true);
    expect((await li.fetch(res.headers.get('location')!)).status).toBe(200);

    // Twice: refused, in both languages.
    const again = await post(
      li,
      await file('rounds/xinrong-round-1.yaml'),
      await Promise.all(SEED_FILES.map((f) => file(f))),
    );
    expect(again.status).toBe(422);
    expect(visible(await again.text())).toContain('已经开始，不能重复开始');
  });

  it('refuses a wrong file field by field, in Chinese and English, and starts nothing', async () => {
    const li = await new TestBrowser(app).login('li', 'coordinator-pw');
    const seed = await readFile(ROUND_FILE, 'utf8');
    const broken = seed
      .replace('planId: xinrong-eco-plan', 'planId: Xinrong Plan')
      .replace('reminders: [P7D, P2D, P1D]', 'reminders: [7 days]');
    const res = await post(li, new File([broken], 'round.yaml'), [await file('documents/eco-protection-plan.md')]);
    expect(res.status).toBe(422);
    const page = visible(await res.text());
    expect(page).toContain('轮次尚未开始');
    expect(page).toContain('planId：只能使用小写字母、数字和连字符');
    expect(page).toContain('must be lowercase letters, digits and dashes');
    expect(page).toMatch(/reminders\.0：.+ISO-8601/);
    expect(page).not.toMatch(/Invalid (string|input)|expected string/);
    const listed = await fx.fake.list();
    expect(listed.kind === 'done' && listed.value.map((r) => r.id)).toEqual([ROUND_ID]);

    // A file the round file names but not uploaded: named, in both languages.
    const missing = visible(await (await post(li, await file('rounds/xinrong-round-1.yaml'), [])).text());
    expect(missing).toContain('缺少文件 eco-protection-plan.md');
    expect(missing).toContain('the file bureaus.yaml is missing');
    expect(visible(await (await post(li, new File(['{ not yaml'], 'r.yaml'), [])).text())).toContain(
      '不是有效的 YAML 文件',
    );
    expect(visible(await (await post(li, undefined, [])).text())).toContain('请选择轮次文件');
  });

  it('is for coordinators only', async () => {
    const zhou = await new TestBrowser(app).login('zhou', 'auditor-pw');
    expect((await zhou.fetch('/new-round')).status).toBe(403);
    expect(visible(await (await zhou.fetch('/')).text())).not.toContain('Start a round');
    const res = await zhou.fetch('/new-round', { method: 'POST', body: new FormData() });
    expect(res.status).toBe(403);
  });
});

import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRoundFile, resolveDeadline, RoundFileError } from '../../infra/roundFile.js';
import { MemoryContentStore } from '../../infra/store.js';
import { coordinator } from '../support/rounds.js';
import { SEED_ROUND_FILE } from '../../bench/support/seedRound.js';

const opts = { startedBy: coordinator, messageIdDomain: 'plan-review.test' };

async function roundFile(content: string, name = 'round.yaml'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'round-'));
  await writeFile(path.join(dir, 'plan.md'), '# 第一章 总则\n\n## 1.1 指导思想\n');
  const file = path.join(dir, name);
  await writeFile(file, content);
  return file;
}

const bureau = `{ id: finance, nameZh: 财政局, nameEn: Finance, contacts: [{ email: f@example.org }], contactPerson: 办公室 }`;

describe('round files', () => {
  it('loads the seed round: two documents stored by hash, seven bureaus in the round’s zone, reminders in ms', async () => {
    const store = new MemoryContentStore();
    const { input } = await loadRoundFile(SEED_ROUND_FILE, store, opts);
    expect(input.documents.map((d) => d.key)).toEqual(['eco-protection-plan', 'xinrong-eco-plan']);
    for (const d of input.documents) expect(await store.has(d.sha256)).toBe(true);
    expect(input.bureaus.map((b) => b.id)).toEqual([
      'finance',
      'science',
      'forestry',
      'energy',
      'education',
      'water',
      'culture',
    ]);
    expect(input.bureaus.every((b) => b.timeZone === 'Asia/Shanghai')).toBe(true);
    expect(input.deadline).toEqual({ afterMs: 14 * 86_400_000 });
    expect(input.reminderOffsetsMs).toEqual([7, 2, 1].map((d) => d * 86_400_000));
  });

  it("carries the coordinator's phone, optional, to the round's input", async () => {
    const file = await roundFile(
      `planId: p\ntitle: t\ncoordinator: { name: c, email: c@example.org, phone: " 0352-1234567 " }\ndocuments: [{ key: plan, title: p, path: plan.md }]\nbureaus: [${bureau}]`,
    );
    const { input } = await loadRoundFile(file, new MemoryContentStore(), opts);
    expect(input.coordinator).toEqual({
      name: 'c',
      email: 'c@example.org',
      phone: '0352-1234567',
      role: 'coordinator',
    });
    const { input: without } = await loadRoundFile(SEED_ROUND_FILE, new MemoryContentStore(), opts);
    expect(without.coordinator.phone).toBeUndefined();
  });

  it('resolves deadlines: a duration, a local time in the round’s zone, an offset, a zone', () => {
    expect(resolveDeadline('PT30S', 'Asia/Shanghai')).toEqual({ afterMs: 30_000 });
    expect(resolveDeadline('2022-02-17T18:00', 'Asia/Shanghai')).toEqual({ at: '2022-02-17T10:00:00.000Z' });
    expect(resolveDeadline('2022-02-17T18:00+08:00', 'UTC')).toEqual({ at: '2022-02-17T10:00:00.000Z' });
    expect(resolveDeadline('2022-02-17T18:00[Asia/Shanghai]', 'UTC')).toEqual({ at: '2022-02-17T10:00:00.000Z' });
  });

  it.each([
    [
      'planId: Bad Id\ntitle: t\ncoordinator: { name: c, email: c@example.org }\ndocuments: [{ key: plan, title: p, path: plan.md }]\nbureaus: [BUREAU]',
      /planId: must be lowercase/,
    ],
    [
      'planId: p\ntitle: t\ncoordinator: { name: c, email: nope }\ndocuments: [{ key: plan, title: p, path: plan.md }]\nbureaus: [BUREAU]',
      /coordinator\.email/,
    ],
    [
      'planId: p\ntitle: t\ncoordinator: { name: c, email: c@example.org }\ndocuments: []\nbureaus: [BUREAU]',
      /documents: a round circulates at least one document/,
    ],
    [
      'planId: p\ntitle: t\ncoordinator: { name: c, email: c@example.org }\ndocuments: [{ key: plan, title: p, path: missing.md }]\nbureaus: [BUREAU]',
      /documents\.0\.path: cannot read/,
    ],
    [
      'planId: p\ntitle: t\ncoordinator: { name: c, email: c@example.org }\ndocuments: [{ key: plan, title: p, path: plan.md }]\nbureaus: [BUREAU]\nreminders: [7 days]',
      /reminders\.0: must be an ISO-8601 duration/,
    ],
    [
      'planId: p\ntitle: t\ncoordinator: { name: c, email: c@example.org }\ndocuments: [{ key: plan, title: p, path: plan.md }]\nbureaus: [BUREAU]\ndeadline: next friday',
      /deadline: "next friday" is neither/,
    ],
    [
      'planId: p\ntitle: t\ncoordinator: { name: c, email: c@example.org }\ndocuments: [{ key: plan, title: p, path: plan.md }]\nbureaus: [BUREAU, BUREAU]',
      /bureau ids must be unique/,
    ],
    [
      'planId: p\ntitle: t\ncoordinator: { name: c, email: c@example.org }\ndocuments: [{ key: plan, title: p, path: plan.md }]\nbureaus: [BUREAU]\ncolour: red',
      /Unrecognized key: "colour"/,
    ],
    [
      'planId: p\ntitle: t\ncoordinator: { name: c, email: c@example.org, phone: call me }\ndocuments: [{ key: plan, title: p, path: plan.md }]\nbureaus: [BUREAU]',
      /coordinator\.phone/,
    ],
    ['{ not yaml', /not valid YAML/],
  ])('refuses a bad file with the field named (%#)', async (content, message) => {
    const file = await roundFile(content.replaceAll('BUREAU', bureau));
    const err = await loadRoundFile(file, new MemoryContentStore(), opts).catch((e) => e);
    expect(err).toBeInstanceOf(RoundFileError);
    expect(err.message).toContain(file);
    expect(err.message).toMatch(message);
  });
});

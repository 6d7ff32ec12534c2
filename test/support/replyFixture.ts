/**
 * A round in consultation for the reply-link tests, held by the typed fake rounds
 * (test/support/fakeRounds.ts): a reply is checked and recorded by the round's own rules, a
 * double submit is one reply, and a test may make the round refuse or be unavailable.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { freshRoundRecords, RoundStatus, type BureauStatus } from '../../domain/round.js';
import { parseDocument } from '../../infra/documents.js';
import { signLink } from '../../infra/linkTokens.js';
import { Templates } from '../../infra/templates.js';
import { createReplyRoutes } from '../../web/replyRoutes.js';
import { FakeRounds } from './fakeRounds.js';
import { MemoryContentStore } from '../../infra/store.js';
import { SEED_BUREAUS, coordinator } from './rounds.js';

export const ROUND_ID = 'round:test-plan:1';

export const DOC_PROTECTION = `---
title: 测试区“十四五”生态环境保护规划（征求意见稿）
---

# 第一章 总则

## 1.1 编制依据

依据有关法律法规编制。

## 1.2 规划范围

全区。
`;

export const DOC_ECO = `# 前言

本规划用于测试。

# 第一章 区域概况

## 1.1 自然概况

### 1.1.1 地理位置

新荣区位于大同市北部。

表 1-1 主要指标

<table>
<thead><tr><th rowspan="2">指标</th><th colspan="2">数值</th></tr><tr><th>2020</th><th>2025</th></tr></thead>
<tbody><tr><td>森林覆盖率（%）</td><td>23.5</td><td>27.04</td></tr></tbody>
</table>

::figure{number="1-1" title="新荣区地理位置图"}

## 1.2 社会经济概况

:::box{title="专栏 1 两山七河一流域"}
专栏内容。
:::

::gap{note="此处原文缺失"}

# 第二章 发展基础与形势

## 2.1 绿色产业快速高质量发展

::review-table{kind="consultation"}
`;

export const DAY = 24 * 3600 * 1000;

type FixtureDocument = readonly [key: string, title: string, source: string, standIn: boolean];

const TEST_DOCUMENTS: FixtureDocument[] = [
  ['protection', '测试区“十四五”生态环境保护规划（征求意见稿）', DOC_PROTECTION, false],
  ['eco-plan', '测试区“十四五”生态保护和生态文明建设规划（征求意见稿）', DOC_ECO, false],
];

/** The seed round's two drafts, as a bureau of the seed round reads them (long titles, deep sections, wide tables). */
const SEED_DOCUMENTS: FixtureDocument[] = [
  [
    'protection',
    '大同市新荣区“十四五”生态环境保护规划（征求意见稿）',
    readFileSync(new URL('../../seeds/documents/eco-protection-plan.md', import.meta.url), 'utf8'),
    false,
  ],
  [
    'eco-plan',
    '大同市新荣区“十四五”“两山七河一流域”生态保护和生态文明建设、生态经济发展规划（征求意见稿）',
    readFileSync(new URL('../../seeds/plan/xinrong-eco-plan.md', import.meta.url), 'utf8'),
    false,
  ],
];

export interface ReplyFixture {
  app: Hono;
  /** The rounds the routes are given (`rounds`), holding this one round. */
  fake: FakeRounds;
  store: MemoryContentStore;
  secret: Buffer;
  status: RoundStatus;
  /** The clock the routes and the fake read; tests move it. */
  clock: { now: Date };
  tokenFor(bureauId: string, linkId?: string): string;
  deadline: Date;
}

export const START = new Date('2022-02-03T02:00:00.000Z');

/** A round in consultation with two documents and three bureaus, served at /r like the web app does. */
export async function replyFixture(
  opts: {
    attachmentMaxBytes?: number;
    graceMs?: number;
    trustedOrigins?: string[];
    seedDocuments?: boolean;
    /** How many of the seed's seven bureaus the round consults (default 3). */
    bureaus?: number;
    /** Record uploads in the store's ledger and hold the round's to this many bytes. */
    roundUploadQuotaBytes?: number;
  } = {},
): Promise<ReplyFixture> {
  const store = new MemoryContentStore();
  const secret = randomBytes(32);
  const clock = { now: new Date(START.getTime() + DAY) };
  const deadline = new Date(START.getTime() + 14 * DAY);
  const documents = [];
  for (const [key, title, source, standIn] of opts.seedDocuments ? SEED_DOCUMENTS : TEST_DOCUMENTS) {
    const { sha256 } = await store.put(Buffer.from(source));
    documents.push({
      key,
      title,
      standIn,
      versions: [
        {
          n: 1,
          sha256,
          createdAt: START.toISOString(),
          createdBy: coordinator,
          sections: parseDocument(source).sections,
        },
      ],
    });
  }
  const bureaus: BureauStatus[] = SEED_BUREAUS.slice(0, opts.bureaus ?? 3).map((bureau) => ({
    bureau,
    outcome: 'pending',
    deadline: deadline.toISOString(),
    invitation: {
      bureauId: bureau.id,
      sentAt: START.toISOString(),
      messageId: `<${ROUND_ID}.${bureau.id}.invitation.1@test>`,
      linkId: `${bureau.id}-link-2`,
      deadline: deadline.toISOString(),
      messages: [{ at: START.toISOString(), messageId: `<${ROUND_ID}.${bureau.id}.invitation.1@test>` }],
      remindersSent: [],
      failures: [],
    },
    replies: [],
    extensions: [],
    waived: null,
    previousInvitations: [],
    revokedLinkIds: [`${bureau.id}-link-1`],
  }));
  const status = RoundStatus.parse({
    id: ROUND_ID,
    planId: 'test-plan',
    n: 1,
    title: '测试区生态规划征求意见',
    timeZone: 'Asia/Shanghai',
    stage: 'consultation',
    coordinator,
    startedAt: START.toISOString(),
    startedBy: coordinator,
    graceMs: opts.graceMs ?? 0,
    reminderOffsetsMs: [DAY],
    consultationEndsAt: new Date(deadline.getTime() + (opts.graceMs ?? 0)).toISOString(),
    documents,
    bureaus,
    consultation: { closed: null, endedAt: null },
    ...freshRoundRecords(),
  });
  const fake = new FakeRounds(store, status, () => clock.now);
  const app = new Hono();
  app.route(
    '/r',
    createReplyRoutes({
      rounds: fake,
      secret,
      store,
      templates: new Templates(),
      attachmentMaxBytes: opts.attachmentMaxBytes ?? 256 * 1024,
      ...(opts.trustedOrigins ? { trustedOrigins: opts.trustedOrigins } : {}),
      ...(opts.roundUploadQuotaBytes !== undefined && {
        uploadLedger: store,
        roundUploadQuotaBytes: opts.roundUploadQuotaBytes,
      }),
      now: () => clock.now,
    }),
  );
  return {
    app,
    fake,
    store,
    secret,
    status,
    clock,
    deadline,
    tokenFor: (bureauId, linkId = `${bureauId}-link-2`) => signLink(secret, { roundId: ROUND_ID, bureauId, linkId }),
  };
}

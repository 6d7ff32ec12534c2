/** Small rounds for workflow tests: real documents in the format, the seed's bureaus. */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Temporal } from 'temporal-polyfill';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { Bureau, type Actor } from '../../domain/records.js';
import type { ReplyDraft } from '../../domain/consultation.js';
import type { MeetingDraft } from '../../domain/expertReview.js';
import type { RoundInput } from '../../domain/round.js';
import type { ContentStore } from '../../infra/store.js';

export const SEED_BUREAUS = z
  .array(Bureau)
  .parse(parseYaml(readFileSync(new URL('../../seeds/bureaus.yaml', import.meta.url), 'utf8')));

export const coordinator: Actor = { name: '测试协调人', role: 'coordinator', email: 'coordinator@xinrong.example.org' };

export const SMALL_PLAN = `# 第一章 区域概况

## 1.1 自然概况

### 1.1.1 地理位置

新荣区位于大同市北部。

## 1.2 社会经济概况

# 第二章 发展基础与形势

## 2.1 绿色产业快速高质量发展
`;

/** A unique plan id per test, so tests never collide on workflow IDs. */
export function uniquePlanId(prefix = 'test'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function smallRoundInput(store: ContentStore, overrides: Partial<RoundInput> = {}): Promise<RoundInput> {
  const { sha256 } = await store.put(Buffer.from(SMALL_PLAN));
  return {
    planId: uniquePlanId(),
    n: 1,
    title: '测试规划',
    timeZone: 'Asia/Shanghai',
    coordinator,
    documents: [{ key: 'plan', title: '测试规划（征求意见稿）', sha256 }],
    bureaus: SEED_BUREAUS.slice(0, 3),
    deadline: { afterMs: 14 * 24 * 3600 * 1000 },
    reminderOffsetsMs: [7, 2, 1].map((d) => d * 24 * 3600 * 1000),
    graceMs: 0,
    startedBy: coordinator,
    messageIdDomain: 'plan-review.test',
    stages: ['consultation'],
    objectionWindowMs: 5 * 24 * 3600 * 1000,
    ...overrides,
  };
}

export const TEST_RESPONDER = { name: '王明', position: '办公室主任' };

/** A reply to the small plan: comments on 1.1.1, or "no comments" when none are given. */
export function replyOnPlan(...texts: string[]): ReplyDraft {
  return texts.length === 0
    ? { responder: TEST_RESPONDER, perDocument: { plan: { kind: 'noComments' } } }
    : {
        responder: TEST_RESPONDER,
        perDocument: { plan: { kind: 'comments', comments: texts.map((text) => ({ section: '1.1.1', text })) } },
      };
}

/** The local date (2030-03-01) `days` after an instant, in a time zone: a meeting's day in tests. */
export const dayAfter = (from: string, days: number, timeZone = 'Asia/Shanghai') =>
  Temporal.Instant.from(from)
    .add({ hours: days * 24 })
    .toZonedDateTimeISO(timeZone)
    .toPlainDate()
    .toString();

/** An expert meeting on `date`, 09:00–12:00 in Shanghai, in the government's meeting room. */
export const meetingOn = (date: string, over: Partial<MeetingDraft> = {}): MeetingDraft => ({
  date,
  start: '09:00',
  end: '12:00',
  timeZone: 'Asia/Shanghai',
  place: '新荣区政府三楼会议室',
  organiser: '大同市生态环境局新荣分局',
  ...over,
});

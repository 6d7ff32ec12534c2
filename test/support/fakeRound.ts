/**
 * A round in consultation for the reply-link tests, behind a fake Temporal client that implements
 * just what infra/roundClient.ts calls: `workflow.getHandle(id).query(def)` and
 * `.executeUpdate(def, { args, updateId })`. Updates are deduplicated by Update ID as Temporal
 * does; an accepted submitReply is applied the way the workflow records a reply.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Hono } from 'hono';
import { ReplyReceipt, SubmitReplyRequest } from '../../domain/consultation.js';
import { RoundGateway } from '../../infra/roundGateway.js';
import { buildReply, isLate, outcomeOf } from '../../workflows/stages/consultation/rules.js';
import { RoundStatus, type BureauStatus } from '../../domain/round.js';
import { parseDocument } from '../../infra/documents.js';
import { signLink } from '../../infra/linkTokens.js';
import { Templates } from '../../infra/templates.js';
import { createReplyRoutes } from '../../web/replyRoutes.js';
import { MemoryContentStore } from '../../infra/store.js';
import { SEED_BUREAUS, coordinator } from '../support/rounds.js';

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

export interface UpdateCall {
  name: string;
  updateId: string | undefined;
  request: SubmitReplyRequest;
}

export class FakeRoundClient {
  /** Every executeUpdate call, accepted, deduplicated or rejected. */
  readonly calls: UpdateCall[] = [];
  /** The updates that took effect (one per Update ID). */
  readonly updates: UpdateCall[] = [];
  private readonly results = new Map<string, ReplyReceipt>();
  /** When set, the validator rejects with this field and message. */
  reject: ((req: SubmitReplyRequest) => { field: string; message: string } | undefined) | undefined;
  /** When true, the status query fails as it does when Temporal cannot be reached. */
  unavailable = false;

  constructor(
    public status: RoundStatus,
    private readonly now: () => Date,
  ) {}

  get client(): Client {
    return this as unknown as Client;
  }

  readonly workflow = {
    getHandle: (id: string) => ({
      query: async (def: { name: string }) => {
        if (id !== this.status.id) throw new WorkflowNotFoundError(`workflow not found: ${id}`, id, undefined);
        if (def.name !== 'status') throw new Error(`unexpected query ${def.name}`);
        if (this.unavailable) throw new Error('14 UNAVAILABLE: connection refused');
        return structuredClone(this.status);
      },
      executeUpdate: async (def: { name: string }, opts: { args: [SubmitReplyRequest]; updateId?: string }) => {
        if (id !== this.status.id) throw new WorkflowNotFoundError(`workflow not found: ${id}`, id, undefined);
        const request = opts.args[0];
        const call = { name: def.name, updateId: opts.updateId, request: structuredClone(request) };
        this.calls.push(call);
        if (def.name !== 'submitReply') throw new Error(`unexpected update ${def.name}`);
        const done = opts.updateId ? this.results.get(opts.updateId) : undefined;
        if (done) return done;
        const rejection = this.reject?.(request);
        if (rejection) {
          throw new WorkflowUpdateFailedError(
            'Workflow Update failed',
            ApplicationFailure.create({
              type: 'InvalidRequest',
              message: `${rejection.field}: ${rejection.message}`,
              details: [rejection],
              nonRetryable: true,
            }),
          );
        }
        const receipt = this.applyReply(SubmitReplyRequest.parse(request));
        this.updates.push(call);
        if (opts.updateId) this.results.set(opts.updateId, receipt);
        return receipt;
      },
    }),
  };

  /** Recorded by the round's own rules (buildReply, outcomeOf), as the workflow records a reply. */
  private applyReply(req: SubmitReplyRequest): ReplyReceipt {
    const bureau = this.status.bureaus.find((b) => b.bureau.id === req.bureauId)!;
    const at = this.now().getTime();
    const reply = buildReply(this.status, bureau, req.reply, { at, channel: 'link', late: isLate(bureau, at) });
    bureau.replies.push(reply);
    bureau.outcome = outcomeOf(bureau, false);
    return ReplyReceipt.parse({
      roundId: this.status.id,
      bureauId: req.bureauId,
      n: reply.n,
      version: reply.version,
      submittedAt: reply.submittedAt,
      contentSha256: reply.contentSha256,
      late: reply.late === true,
    });
  }
}

export interface ReplyFixture {
  app: Hono;
  fake: FakeRoundClient;
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
  opts: { attachmentMaxBytes?: number; graceMs?: number; trustedOrigins?: string[] } = {},
): Promise<ReplyFixture> {
  const store = new MemoryContentStore();
  const secret = randomBytes(32);
  const clock = { now: new Date(START.getTime() + DAY) };
  const deadline = new Date(START.getTime() + 14 * DAY);
  const documents = [];
  for (const [key, title, source, standIn] of [
    ['protection', '测试区“十四五”生态环境保护规划（征求意见稿）', DOC_PROTECTION, false],
    ['eco-plan', '测试区“十四五”生态保护和生态文明建设规划（征求意见稿）', DOC_ECO, false],
  ] as const) {
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
  const bureaus: BureauStatus[] = SEED_BUREAUS.slice(0, 3).map((bureau) => ({
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
    cancelled: null,
    problems: [],
  });
  const fake = new FakeRoundClient(status, () => clock.now);
  const app = new Hono();
  app.route(
    '/r',
    createReplyRoutes({
      rounds: new RoundGateway(fake.client, store, 'test'),
      secret,
      store,
      templates: new Templates(),
      attachmentMaxBytes: opts.attachmentMaxBytes ?? 256 * 1024,
      ...(opts.trustedOrigins ? { trustedOrigins: opts.trustedOrigins } : {}),
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

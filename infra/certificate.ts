/**
 * The audit certificate of a round, in the spirit of an e-signature service's certificate of
 * completion: the round, the people who acted and the bureaus heard, the approved PDF and the
 * documents by hash, and every entry of the trail with its chain hash, Chinese first with English
 * beside it. Built from the trail (infra/trail.ts), so what it prints is what an auditor can check
 * with `plan-review verify`; rendered with the plan's renderer and fonts (pdf/certificate.ts).
 */
import { ROLE_LABELS, WORKFLOW_STATUS_LABELS } from '../domain/labels.js';
import type { Actor } from '../domain/records.js';
import { renderSimpleDocument, type SimpleBlock } from '../pdf/certificate.js';
import type { FontPaths } from '../pdf/config.js';
import { formatInstant } from './templates.js';
import { actorLabel, bilingual, CATEGORY_LABELS, outcomeLabel, STATUS_LABELS, type Timeline } from './timeline.js';
import type { Trail } from './trail.js';

export interface Participant {
  actor: Actor;
  actions: number;
  first: string;
  last: string;
}

/** Everyone who acted in the trail (by account, else by name and role), in order of first action. */
export function participants(trail: Pick<Trail, 'entries'>): Participant[] {
  const byKey = new Map<string, Participant>();
  for (const e of trail.entries) {
    if (!e.actor) continue;
    const key = e.actor.username ? `u:${e.actor.username}` : `n:${e.actor.name}\n${e.actor.role}`;
    const p = byKey.get(key);
    if (p) {
      p.actions++;
      p.last = e.at;
    } else byKey.set(key, { actor: e.actor, actions: 1, first: e.at, last: e.at });
  }
  return [...byKey.values()];
}

export interface CertificateInput {
  timeline: Pick<Timeline, 'workflowStatus' | 'stage'>;
  trail: Trail;
  /** The SHA-256 of the trail's JSON file as archived, when the certificate goes into an archive. */
  trailFileSha256?: string;
  /** The last history event the trail covers (an archive covers the history up to the archiving). */
  throughEventId?: number;
}

/** The certificate's content as blocks, in both languages. */
export function certificateBlocks({
  timeline,
  trail,
  trailFileSha256,
  throughEventId,
}: CertificateInput): SimpleBlock[] {
  const time = (at: string) => formatInstant(at, trail.timeZone, { seconds: true });
  const b: SimpleBlock[] = [];
  const para = (text: string, opts: Omit<Extract<SimpleBlock, { k: 'para' }>, 'k' | 'text'> = {}) =>
    b.push({ k: 'para', text, ...opts });
  const status =
    WORKFLOW_STATUS_LABELS[timeline.workflowStatus] ?? bilingual(timeline.workflowStatus, timeline.workflowStatus);

  b.push({ k: 'title', text: '审查过程证明书 Certificate of Completion of the Review' });
  b.push({ k: 'heading', text: '轮次 The round' });
  para(`${trail.title}`);
  para(`轮次编号 Round: ${trail.roundId}${trail.runId ? `　运行编号 Run: ${trail.runId}` : ''}`);
  para(`状态 Status: ${status.zh} ${status.en}　时区 Time zone: ${trail.timeZone}`);
  if (trail.approved) {
    const a = trail.approved;
    para(
      `批准：${a.by.name}（${(ROLE_LABELS[a.by.role] ?? bilingual(a.by.role, a.by.role)).zh}）于 ${time(a.at)} 批准，事件 #${a.eventId}`,
    );
    para(`Approved by ${a.by.name} on ${time(a.at)}, event #${a.eventId}`);
    para(`批准稿 SHA-256 Approved PDF: ${a.pdfSha256}`, { small: true });
  }

  b.push({ k: 'heading', text: '哈希 The hashes' });
  para(`审计链共 ${trail.entries.length} 条，链首 The trail's ${trail.entries.length} entries end at head:`, {
    keepWithNext: true,
  });
  para(trail.head, { small: true });
  if (trailFileSha256) para(`审计链文件 SHA-256 The trail file: ${trailFileSha256}`, { small: true });
  if (throughEventId !== undefined)
    para(`涵盖工作流历史至事件 #${throughEventId} The workflow history through event #${throughEventId}`, {
      small: true,
    });
  para(
    '每条的 sha256 为该条（不含 sha256 字段）RFC 8785 规范 JSON 的 SHA-256，prev 为前一条的 sha256。' +
      "Each entry's sha256 is the SHA-256 of its RFC 8785 canonical JSON without that field; prev is the sha256 of the entry before.",
    { small: true, gray: true },
  );
  for (const d of trail.documents)
    for (const v of d.versions) para(`《${d.title}》第 ${v.n} 版 version ${v.n}: ${v.sha256}`, { small: true });

  b.push({ k: 'heading', text: '参与人员 The participants' });
  for (const p of participants(trail)) {
    const role = ROLE_LABELS[p.actor.role] ?? bilingual(p.actor.role, p.actor.role);
    const account = [p.actor.username, p.actor.email].filter(Boolean).join(', ');
    para(`${p.actor.name}（${role.zh} ${role.en}）${account ? `　${account}` : ''}`, { keepWithNext: true });
    para(`${p.actions} 项操作 action(s)，${time(p.first)} – ${time(p.last)}`, { small: true, indent: 12 });
  }

  b.push({ k: 'heading', text: '各单位意见听取情况 Was every bureau heard' });
  for (const h of trail.hearing) {
    const o = outcomeLabel(h.outcome);
    para(`${h.bureau.nameZh} ${h.bureau.nameEn}：${o.zh} ${o.en}`, { keepWithNext: h.evidence.length > 0 });
    for (const x of h.evidence)
      para(`#${x.eventId} ${time(x.at)} ${x.what.zh} ${x.what.en}`, { small: true, indent: 12 });
  }

  b.push({ k: 'heading', text: '时间线 The timeline' });
  for (const e of trail.entries) {
    const cat = CATEGORY_LABELS[e.category];
    const who = actorLabel(e.actor);
    const st = e.status === 'done' ? '' : `［${STATUS_LABELS[e.status].zh} ${STATUS_LABELS[e.status].en}］`;
    b.push({ k: 'rule' });
    para(`${e.n}. ${time(e.at)}　事件 event #${e.eventId}　${cat.zh} ${cat.en}　${who.zh} ${who.en}${st}`, {
      keepWithNext: true,
    });
    para(e.what.zh, { indent: 12 });
    para(e.what.en, { indent: 12 });
    if (e.submittedSha256) para(`提交内容 submitted SHA-256: ${e.submittedSha256}`, { small: true, indent: 12 });
    for (const [name, sha] of Object.entries(e.hashes)) para(`${name}: ${sha}`, { small: true, indent: 12 });
    if (e.email) para(`Message-ID: ${e.email.messageId}`, { small: true, indent: 12 });
    para(`sha256: ${e.sha256}`, { small: true, indent: 12, gray: true });
  }
  return b;
}

/** The certificate as a PDF; its dates are the trail's last entry's (never the clock), so it renders the same bytes again. */
export async function renderCertificate(input: CertificateInput, fonts?: FontPaths) {
  const last = input.trail.entries.at(-1)?.at ?? input.trail.approved?.at ?? '2000-01-01T00:00:00.000Z';
  return renderSimpleDocument(
    {
      title: `审查过程证明书 ${input.trail.title}`,
      subject: `Certificate of completion of the review: ${input.trail.roundId}`,
      keywords: [input.trail.roundId, 'audit certificate', input.trail.head].join(', '),
      date: new Date(last),
      blocks: certificateBlocks(input),
    },
    fonts,
  );
}

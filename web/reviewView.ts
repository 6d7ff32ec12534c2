/**
 * What a round's page and the coordinator's page show beyond consultation: each document's versions
 * with their hashes, the expert review (the meeting with its calendar UID and SEQUENCE, the experts,
 * the opinions with their revision notes and anchors), the bureaus' objections, and what blocks
 * approval (in the refusal catalog's words, Chinese and English). Also which of the expert review's
 * and the later stages' forms the coordinator's page offers, what they choose from, and what they
 * start with (the current meeting, when moving it).
 */
import { DECISION_LABELS } from '../domain/labels.js';
import { blockerText } from '../domain/approval.js';
import { AFTER_CONSULTATION, type RoundStatus } from '../domain/round.js';
import { instantToLocal } from '../domain/time.js';
import { pageTime, formatMeetingTime } from '../infra/templates.js';
import { brokenAnchors, openObjections } from '../workflows/stages/disposition/rules.js';
import { liveMeeting } from '../workflows/stages/expertReview/rules.js';
import type { ActionName, FormValues } from './coordinatorForms.js';
import { anchorView, short } from './dispositionView.js';

type Stamp = { by: { name: string }; at: string; reason?: string } | null | undefined;

function stamp(s: Stamp, timeZone: string) {
  return s ? { by: s.by.name, at: pageTime(s.at, timeZone, { seconds: true }), reason: s.reason } : undefined;
}

/** Every version of every document: its number, hash, sections, and who added it when. */
export function documentsView(round: RoundStatus) {
  return round.documents.map((d) => ({
    key: d.key,
    title: d.title,
    standIn: d.standIn,
    versions: d.versions.map((v, i) => ({
      n: v.n,
      sha256: v.sha256,
      sections: v.sections.length,
      createdAt: pageTime(v.createdAt, round.timeZone, { seconds: true }),
      createdBy: v.createdBy.name,
      current: i === d.versions.length - 1,
    })),
  }));
}

export function expertReviewView(round: RoundStatus) {
  const r = round.expertReview;
  if (!r) return undefined;
  const tz = round.timeZone;
  const m = r.meeting;
  return {
    meeting: m && {
      when: formatMeetingTime(m.start, m.end, m.tz),
      place: m.place,
      url: m.url,
      organiser: m.organiser,
      uid: m.uid,
      sequence: m.sequence,
      held: m.held === true,
    },
    meetings: r.meetings,
    scheduled: stamp(r.scheduled, tz),
    cancelled: stamp(r.cancelled, tz),
    reminderDueAt: r.reminderDueAt ? pageTime(r.reminderDueAt, m?.tz ?? tz) : undefined,
    reminders: r.reminders.map((x) => ({ at: pageTime(x.at, m?.tz ?? tz, { seconds: true }), sequence: x.sequence })),
    experts: r.experts,
    report: r.report ?? undefined,
    signed: r.signed ?? undefined,
    recorded: stamp(r.opinionsRecorded, tz),
    opinions: r.opinions.map((o) => ({
      n: o.n,
      text: o.text,
      note: o.revisionNote && {
        text: o.revisionNote.text,
        anchors: o.revisionNote.changedAt.map((a) => anchorView(round, a)),
      },
    })),
    notesLeft: r.opinions.filter((o) => !o.revisionNote).length,
  };
}

/** The bureaus that objected to their outcome notice, open ones first. */
export function objectionsView(round: RoundStatus) {
  return round.notices
    .filter((n) => n.response === 'objected')
    .map((n) => {
      const b = round.bureaus.find((x) => x.bureau.id === n.bureauId)?.bureau;
      return {
        bureauId: n.bureauId,
        nameZh: b?.nameZh ?? n.bureauId,
        nameEn: b?.nameEn ?? n.bureauId,
        objection: n.objection,
        at: n.respondedAt ? pageTime(n.respondedAt, round.timeZone, { seconds: true }) : undefined,
        resolution: n.resolution && {
          by: n.resolution.by.name,
          at: pageTime(n.resolution.at, round.timeZone, { seconds: true }),
          note: n.resolution.note,
        },
      };
    })
    .sort((a, b) => Number(!!a.resolution) - Number(!!b.resolution));
}

/** What blocks approval, in the catalog's words (a code it does not know is shown as it is). */
export function blockersView(round: RoundStatus) {
  return round.approval.blockers.map((b) => blockerText(b));
}

/** The round's records beyond consultation, as both pages show them. */
export function recordsView(round: RoundStatus) {
  return {
    documents: documentsView(round),
    expertReview: expertReviewView(round),
    objections: objectionsView(round),
    blockers: blockersView(round),
  };
}

// ---------------------------------------------------------------------------------------------
// The forms

/** What the expert review's and the later stages' forms start with when they are not shown again after a refusal. */
export function reviewFormDefaults(round: RoundStatus): Partial<Record<ActionName, FormValues>> {
  const m = round.expertReview?.meeting;
  const local = (instant: string, tz: string) => instantToLocal(instant, tz).split('T');
  const meeting = m && {
    date: local(m.start, m.tz)[0] ?? '',
    start: local(m.start, m.tz)[1] ?? '',
    end: local(m.end, m.tz)[1] ?? '',
    timeZone: m.tz,
    place: m.place ?? '',
    url: m.url ?? '',
    organiser: m.organiser,
  };
  const unnoted = round.expertReview?.opinions.find((o) => !o.revisionNote);
  return {
    'schedule-meeting': { timeZone: round.timeZone, ...(m && { organiser: m.organiser }) },
    ...(meeting && { 'reschedule-meeting': meeting, 'record-opinions': { signedOn: meeting.date } }),
    ...(unnoted && { 'revision-note': { n: String(unnoted.n) } }),
  };
}

/** Which forms the page offers in the round's stage, and the choices they list (what was chosen selected). */
export function reviewForms(round: RoundStatus, canAct: boolean, v: Partial<Record<ActionName, FormValues>>) {
  const r = round.expertReview;
  const live = r ? liveMeeting(r) : null;
  const reviewing = canAct && round.stage === 'expertReview' && r !== null;
  const later = canAct && AFTER_CONSULTATION.includes(round.stage);
  const broken = new Set(brokenAnchors(round).map((b) => b.commentId));
  const open = openObjections(round);
  return {
    schedule: reviewing && !live && !r?.opinionsRecorded,
    move: reviewing && !!live && !live.held && !r?.opinionsRecorded,
    recordOpinions: reviewing && !!live && !r?.opinionsRecorded,
    revisionNote: reviewing && !!r?.opinionsRecorded,
    addVersion: later,
    reanchor: later && round.dispositions.length > 0,
    resolve: later && open.length > 0,
    opinionOptions: (r?.opinions ?? []).map((o) => ({
      n: o.n,
      label: `${o.n}. ${short(o.text, 40)}${o.revisionNote ? ' · 已有修改说明 (has a note)' : ''}`,
      selected: v['revision-note']?.n === String(o.n),
    })),
    dispositionOptions: round.dispositions.map((d) => ({
      id: d.commentId,
      label: `${d.commentId} · ${DECISION_LABELS[d.decision].zh}${broken.has(d.commentId) ? ' · 修改位置已失效 (broken anchor)' : ''}`,
      selected: v.reanchor?.commentId === d.commentId,
    })),
    objectionOptions: open.map((n) => {
      const b = round.bureaus.find((x) => x.bureau.id === n.bureauId)?.bureau;
      return {
        id: n.bureauId,
        label: `${b?.shortNameZh ?? b?.nameZh ?? n.bureauId} ${n.bureauId}${n.objection ? ` · ${short(n.objection, 40)}` : ''}`,
        selected: v['resolve-objection']?.bureauId === n.bureauId,
      };
    }),
    documentOptions: round.documents.map((d) => ({
      key: d.key,
      title: d.title,
      versions: d.versions.length,
      selected: v['add-version']?.docKey === d.key,
    })),
    /** The documents' keys, for the places typed as `doc#section`. */
    docKeys: round.documents.map((d) => `${d.key}（${d.title}）`).join('、'),
  };
}

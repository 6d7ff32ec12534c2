/**
 * What the coordinator does during disposition, as rows of the action table: decide one comment
 * (a draft until published), adopt every comment of one bureau, publish them all together.
 */
import { patched } from '@temporalio/workflow';
import type { Disposition } from '../../../domain/records.js';
import { AFTER_CONSULTATION } from '../../../domain/round.js';
import type { Refusal } from '../../../domain/refusals.js';
import { iso } from '../../../domain/time.js';
import type { ActionTable } from '../../round/actions.js';
import { refuse } from '../../round/refuse.js';
import type { Round } from '../../round/round.js';
import { PATCHES } from '../../patches.js';
import type { Disposition as DispositionStage } from './run.js';
import {
  allComments,
  anchorRefusal,
  commentsByBureau,
  pinAnchors,
  reanchorDisposition,
  reanchorRefusal,
  resolveObjection,
  resolveObjectionRefusal,
  undisposed,
} from './rules.js';

const raise = (r: Refusal | null) => {
  if (r) refuse(r.field, r.code, r.params);
};

function notPublished(round: Round): void {
  if (round.status.dispositionsPublished) refuse('round', 'dispositionsAlreadyPublished');
}

/** Saves a disposition, replacing an earlier draft of the same comment. */
function save(round: Round, d: Disposition): void {
  const list = round.status.dispositions;
  const i = list.findIndex((x) => x.commentId === d.commentId);
  if (i >= 0) list[i] = d;
  else list.push(d);
}

export const dispositionActions: ActionTable<DispositionStage> = {
  reanchorDisposition: {
    // After a revised version, a change may point at sections that moved: point it again, decision unchanged.
    stages: AFTER_CONSULTATION,
    check: ({ round }, req) => raise(reanchorRefusal(round.status, req)),
    apply({ round }, req) {
      reanchorDisposition(round.status, req, Date.now());
      return round.ack();
    },
  },

  disposeComment: {
    stages: ['disposition'],
    check({ round }, req) {
      notPublished(round);
      const id = req.disposition.commentId;
      if (!allComments(round.status).includes(id)) refuse('disposition.commentId', 'unknownComment', { commentId: id });
      raise(anchorRefusal(round.status, req.disposition.changedAt, 'disposition.changedAt'));
    },
    apply({ round }, req) {
      const { commentId, decision, rationale, changedAt } = req.disposition;
      save(round, {
        commentId,
        decision,
        ...(rationale !== undefined && { rationale }),
        changedAt: pinAnchors(round.status, changedAt),
        decidedBy: req.actor,
        decidedAt: iso(Date.now()),
        published: false,
      });
      return round.ack();
    },
  },

  adoptAllComments: {
    stages: ['disposition'],
    check({ round }, req) {
      notPublished(round);
      round.bureau(req.bureauId);
      if (!commentsByBureau(round.status).get(req.bureauId)?.length) refuse('bureauId', 'bureauHasNoComments');
    },
    apply({ round }, req) {
      const decided = new Set(round.status.dispositions.map((d) => d.commentId));
      for (const commentId of commentsByBureau(round.status).get(req.bureauId) ?? []) {
        if (decided.has(commentId)) continue;
        save(round, {
          commentId,
          decision: 'adopted',
          changedAt: [],
          decidedBy: req.actor,
          decidedAt: iso(Date.now()),
          published: false,
        });
      }
      return round.ack();
    },
  },

  publishDispositions: {
    stages: ['disposition'],
    check({ round }) {
      notPublished(round);
      const missing = undisposed(round.status);
      if (missing.length > 0)
        refuse('round', 'dispositionsIncomplete', { count: missing.length, ids: missing.slice(0, 10).join(', ') });
    },
    apply(stage, req) {
      const { round } = stage;
      // Only the comments of the replies that count are published (a later paper reply may have replaced one).
      const current = new Set(allComments(round.status));
      round.status.dispositions = round.status.dispositions
        .filter((d) => current.has(d.commentId))
        .map((d) => ({ ...d, published: true }));
      round.status.dispositionsPublished = {
        by: req.actor,
        at: iso(Date.now()),
        ...(req.note && { reason: req.note }),
      };
      if (patched(PATCHES.outcomeNotices)) stage.sendNotices();
      return round.ack();
    },
  },

  respondToOutcome: {
    stages: AFTER_CONSULTATION,
    check({ round }, req) {
      const b = round.bureau(req.bureauId);
      if (!b.invitation || b.invitation.linkId !== req.linkId) refuse('link', 'linkReplaced');
      const notice = round.status.notices.find((n) => n.bureauId === req.bureauId);
      if (!notice) refuse('bureauId', 'noOutcomeNotice');
      if (notice.response !== 'pending' || Date.now() > Date.parse(notice.respondBy))
        refuse('response', 'outcomeWindowClosed');
    },
    apply({ round }, req) {
      const notice = round.status.notices.find((n) => n.bureauId === req.bureauId)!;
      notice.response = req.response === 'object' ? 'objected' : 'acknowledged';
      notice.respondedAt = iso(Date.now());
      notice.respondedBy = req.actor;
      if (req.objection !== undefined) notice.objection = req.objection;
      if (req.response === 'object')
        round.notifyCoordinator('objectionNotice', {
          bureau: round.bureau(req.bureauId).bureau,
          reason: req.objection,
        });
      return round.ack();
    },
  },

  resolveObjection: {
    stages: AFTER_CONSULTATION,
    check: ({ round }, req) => raise(resolveObjectionRefusal(round.status, req)),
    apply({ round }, req) {
      resolveObjection(round.status, req, Date.now());
      return round.ack();
    },
  },
};

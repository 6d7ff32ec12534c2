/**
 * The modules that every round in a worker shares: the worker evaluates this module once, before
 * any round runs (the bundle's preloadModules, worker/bundleOptions.ts), and each round then uses
 * these modules' exports instead of evaluating its own copy. Without it, each cached round held its
 * own copy of the domain modules (about 3 MB of zod schemas) and of the workflow modules (about
 * 70 KB of closures, scopes and export tables).
 *
 * Sharing is safe because these modules hold no state of their own after they are evaluated: their
 * exports are schemas, constants, classes and functions, and a round's state lives in the objects
 * its workflow function creates. What needs the round (its activities, timers, handlers) is looked
 * up when called, never when a module is evaluated. The SDK deep-freezes what rounds share, which
 * zod's schemas cannot take (they memoize on first use, the same for every round); freezing each
 * module's exports object here makes the SDK's freeze stop at it, while the exports themselves stay
 * unreassignable. The same goes for zod's own shared patterns. Never imported outside the workflow
 * bundle: Node's own module namespaces cannot be frozen.
 */
import { regexes } from 'zod';
import * as actions from '../domain/actions.js';
import * as approval from '../domain/approval.js';
import * as consultation from '../domain/consultation.js';
import * as disposition from '../domain/disposition.js';
import * as expertReview from '../domain/expertReview.js';
import * as ids from '../domain/ids.js';
import * as labels from '../domain/labels.js';
import * as limits from '../domain/limits.js';
import * as linkView from '../domain/linkView.js';
import * as mail from '../domain/mail.js';
import * as messages from '../domain/messages.js';
import * as records from '../domain/records.js';
import * as refusals from '../domain/refusals.js';
import * as replies from '../domain/replies.js';
import * as replyHash from '../domain/replyHash.js';
import * as round from '../domain/round.js';
import * as time from '../domain/time.js';
import * as wfIndex from './index.js';
import * as wfMessages from './messages.js';
import * as wfPatches from './patches.js';
import * as wfReviewRound from './reviewRound.js';
import * as wfRoundActions from './round/actions.js';
import * as wfRoundDueTimer from './round/dueTimer.js';
import * as wfRoundOutbox from './round/outbox.js';
import * as wfRoundRefuse from './round/refuse.js';
import * as wfRoundRound from './round/round.js';
import * as wfRoundRoundActions from './round/roundActions.js';
import * as wfRoundRules from './round/rules.js';
import * as wfStagesApprovalActions from './stages/approval/actions.js';
import * as wfStagesApprovalIndex from './stages/approval/index.js';
import * as wfStagesApprovalRules from './stages/approval/rules.js';
import * as wfStagesApprovalRun from './stages/approval/run.js';
import * as wfStagesConsultationActions from './stages/consultation/actions.js';
import * as wfStagesConsultationIndex from './stages/consultation/index.js';
import * as wfStagesConsultationRules from './stages/consultation/rules.js';
import * as wfStagesConsultationRun from './stages/consultation/run.js';
import * as wfStagesDispositionActions from './stages/disposition/actions.js';
import * as wfStagesDispositionIndex from './stages/disposition/index.js';
import * as wfStagesDispositionRules from './stages/disposition/rules.js';
import * as wfStagesDispositionRun from './stages/disposition/run.js';
import * as wfStagesExpertReviewActions from './stages/expertReview/actions.js';
import * as wfStagesExpertReviewIndex from './stages/expertReview/index.js';
import * as wfStagesExpertReviewRules from './stages/expertReview/rules.js';
import * as wfStagesExpertReviewRun from './stages/expertReview/run.js';
import * as wfStagesStage from './stages/stage.js';
import * as wfUploadSweep from './uploadSweep.js';

for (const exports of [
  actions,
  approval,
  consultation,
  disposition,
  expertReview,
  ids,
  labels,
  limits,
  linkView,
  mail,
  messages,
  records,
  refusals,
  replies,
  replyHash,
  round,
  time,
  wfIndex,
  wfMessages,
  wfPatches,
  wfReviewRound,
  wfRoundActions,
  wfRoundDueTimer,
  wfRoundOutbox,
  wfRoundRefuse,
  wfRoundRound,
  wfRoundRoundActions,
  wfRoundRules,
  wfStagesApprovalActions,
  wfStagesApprovalIndex,
  wfStagesApprovalRules,
  wfStagesApprovalRun,
  wfStagesConsultationActions,
  wfStagesConsultationIndex,
  wfStagesConsultationRules,
  wfStagesConsultationRun,
  wfStagesDispositionActions,
  wfStagesDispositionIndex,
  wfStagesDispositionRules,
  wfStagesDispositionRun,
  wfStagesExpertReviewActions,
  wfStagesExpertReviewIndex,
  wfStagesExpertReviewRules,
  wfStagesExpertReviewRun,
  wfStagesStage,
  wfUploadSweep,
  // zod's format checks reset their pattern's lastIndex on every parse, which a frozen RegExp refuses.
  regexes,
]) {
  Object.freeze(exports);
}

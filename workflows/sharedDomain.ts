/**
 * The domain modules that every round in a worker shares: the worker evaluates this module once,
 * before any round runs (the bundle's preloadModules, worker/bundleOptions.ts), and each round then
 * uses these modules' exports instead of evaluating its own copy. Each copy was about 3 MB of zod
 * schemas, so this is most of what a cached round costs.
 *
 * Sharing is safe because these modules hold no state of their own after they are evaluated: their
 * exports are schemas, constants and pure functions. The SDK deep-freezes what rounds share, which
 * zod's schemas cannot take (they memoize on first use, the same for every round); freezing each
 * module's exports object here makes the SDK's freeze stop at it, while the exports themselves stay
 * unreassignable. The same goes for zod's own shared patterns. Never imported outside the workflow bundle: Node's own module namespaces cannot
 * be frozen.
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
import * as mail from '../domain/mail.js';
import * as messages from '../domain/messages.js';
import * as records from '../domain/records.js';
import * as refusals from '../domain/refusals.js';
import * as replies from '../domain/replies.js';
import * as replyHash from '../domain/replyHash.js';
import * as round from '../domain/round.js';
import * as time from '../domain/time.js';

for (const exports of [
  actions,
  approval,
  consultation,
  disposition,
  expertReview,
  ids,
  labels,
  limits,
  mail,
  messages,
  records,
  refusals,
  replies,
  replyHash,
  round,
  time,
  // zod's format checks reset their pattern's lastIndex on every parse, which a frozen RegExp refuses.
  regexes,
]) {
  Object.freeze(exports);
}

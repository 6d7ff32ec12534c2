/** The coordinator's actions, in the order the page shows their forms (one module each). */
import type { ActionName as RoundAction } from '../../domain/actions.js';
import type { ActionName, CoordinatorAction } from '../coordinatorForms.js';
import { addBureau } from './addBureau.js';
import { addVersion } from './addVersion.js';
import { adoptAll } from './adoptAll.js';
import { cancel } from './cancel.js';
import { cancelMeeting } from './cancelMeeting.js';
import { close } from './close.js';
import { contact } from './contact.js';
import { dispose } from './dispose.js';
import { extend } from './extend.js';
import { paper } from './paper.js';
import { publish } from './publish.js';
import { reanchor } from './reanchor.js';
import { recordOpinions } from './recordOpinions.js';
import { rescheduleMeeting } from './rescheduleMeeting.js';
import { resend } from './resend.js';
import { resolveObjection } from './resolveObjection.js';
import { revisionNote } from './revisionNote.js';
import { scheduleMeeting } from './scheduleMeeting.js';
import { waive } from './waive.js';

export const COORDINATOR_ACTIONS = {
  extend,
  paper,
  waive,
  contact,
  resend,
  'add-bureau': addBureau,
  close,
  cancel,
  dispose,
  'adopt-all': adoptAll,
  publish,
  'schedule-meeting': scheduleMeeting,
  'reschedule-meeting': rescheduleMeeting,
  'cancel-meeting': cancelMeeting,
  'record-opinions': recordOpinions,
  'revision-note': revisionNote,
  'add-version': addVersion,
  reanchor,
  'resolve-objection': resolveObjection,
} as const satisfies Record<ActionName, CoordinatorAction<RoundAction>>;

/** The actions whose form is all text (the paper reply and a revised version bring a file and their own routes). */
export const FORM_ACTIONS = [
  extend,
  waive,
  contact,
  resend,
  addBureau,
  close,
  cancel,
  dispose,
  adoptAll,
  publish,
  scheduleMeeting,
  rescheduleMeeting,
  cancelMeeting,
  recordOpinions,
  revisionNote,
  reanchor,
  resolveObjection,
] as const;

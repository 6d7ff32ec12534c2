/** The coordinator's actions, in the order the page shows their forms (one module each). */
import type { ActionName as RoundAction } from '../../domain/actions.js';
import type { ActionName, CoordinatorAction } from '../coordinatorForms.js';
import { addBureau } from './addBureau.js';
import { adoptAll } from './adoptAll.js';
import { cancel } from './cancel.js';
import { close } from './close.js';
import { contact } from './contact.js';
import { dispose } from './dispose.js';
import { extend } from './extend.js';
import { paper } from './paper.js';
import { publish } from './publish.js';
import { resend } from './resend.js';
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
} as const satisfies Record<ActionName, CoordinatorAction<RoundAction>>;

/** The actions whose form is all text (the paper reply brings a file and its own route). */
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
] as const;

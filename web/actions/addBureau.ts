/** Add a bureau to the round: who it is, how to reach it, and optionally its own zone and deadline. */
import { z } from 'zod';
import { AddBureauRequest } from '../../domain/consultation.js';
import { coded } from '../../domain/messages.js';
import { IanaTimeZone, Slug } from '../../domain/records.js';
import {
  contactLinesField,
  fieldOfForm,
  FORM_ERROR,
  optionalLocalDateTime,
  optionalText,
  requestIdField,
  requiredText,
  type CoordinatorAction,
} from '../coordinatorForms.js';

const BUREAU_FIELDS = ['id', 'nameZh', 'shortNameZh', 'nameEn', 'contactPerson', 'timeZone'];

export const addBureau: CoordinatorAction<'addBureau'> = {
  name: 'add-bureau',
  update: 'addBureau',
  title: '增加单位 Add a bureau',
  flash: (b) => `已增加单位${b.zh}，邀请将发出。${b.en} is added and will be invited.`,
  form: ({ round, actor }) =>
    z
      .object({
        requestId: requestIdField('add-bureau'),
        id: z
          .string()
          .trim()
          .pipe(Slug)
          .refine((id) => !round.bureaus.some((b) => b.bureau.id === id), coded('bureauAlreadyIn')),
        nameZh: requiredText(200, 'bureauNameZh'),
        shortNameZh: optionalText(100),
        nameEn: requiredText(200, 'bureauNameEn'),
        emails: contactLinesField(),
        contactPerson: requiredText(200, 'contactPerson'),
        timeZone: z
          .string()
          .trim()
          .optional()
          .transform((v) => (v ? v : undefined))
          .pipe(IanaTimeZone.optional()),
        deadline: optionalLocalDateTime(round.timeZone),
      })
      .transform((f) => ({
        requestId: f.requestId,
        actor,
        bureau: {
          id: f.id,
          nameZh: f.nameZh,
          ...(f.shortNameZh ? { shortNameZh: f.shortNameZh } : {}),
          nameEn: f.nameEn,
          contacts: f.emails,
          contactPerson: f.contactPerson,
          ...(f.timeZone ? { timeZone: f.timeZone } : {}),
        },
        ...(f.deadline ? { deadline: f.deadline } : {}),
      }))
      .pipe(AddBureauRequest),
  fieldOf: fieldOfForm([...BUREAU_FIELDS, 'emails', 'deadline'], (p) => {
    const m = /^bureau\.([a-zA-Z]+)/.exec(p);
    if (!m) return p === 'bureau' ? 'id' : FORM_ERROR;
    if (m[1] === 'contacts') return 'emails';
    return BUREAU_FIELDS.includes(m[1]!) ? m[1]! : FORM_ERROR;
  }),
  bureauOf: (r) => r.bureau.id,
};

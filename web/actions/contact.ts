/** Change a bureau's contact: new addresses (one a line), optionally a new contact person, and why. */
import { z } from 'zod';
import { ChangeContactRequest } from '../../domain/consultation.js';
import {
  bureauField,
  contactLinesField,
  fieldOfForm,
  FORM_ERROR,
  optionalText,
  reasonField,
  requestIdField,
  type CoordinatorAction,
} from '../coordinatorForms.js';

export const contact: CoordinatorAction<'changeContact'> = {
  name: 'contact',
  update: 'changeContact',
  title: '更换联系人 Change a contact',
  flash: (b) =>
    `已更换${b.zh}的联系人：旧链接已失效，新的邀请将发出。Contact changed for ${b.en}: the old link no longer works and a new invitation is being sent.`,
  form: ({ round, actor }) =>
    z
      .object({
        requestId: requestIdField('contact'),
        bureauId: bureauField(round),
        emails: contactLinesField(),
        contactPerson: optionalText(200),
        reason: reasonField(),
      })
      .transform(({ emails, contactPerson, ...f }) => ({
        ...f,
        contacts: emails,
        ...(contactPerson ? { contactPerson } : {}),
        actor,
      }))
      .pipe(ChangeContactRequest),
  fieldOf: fieldOfForm(['bureauId', 'emails', 'contactPerson', 'reason'], (p) =>
    p === 'contacts' || p.startsWith('contacts.') ? 'emails' : FORM_ERROR,
  ),
  bureauOf: (r) => r.bureauId,
};

import { idField, stringField, stringsField } from './json-fields';
import { JsonObject, MessengerEvent } from './messenger-event';

export interface PolicyEnforcementData {
  /** warning, block or unblock. */
  action: string | null;
  reason: string | null;
}

/** Meta warned or restricted the app on this Page (`policy_enforcement`, also spelt `policy-enforcement`). */
export class PolicyEnforcementEvent extends MessengerEvent<PolicyEnforcementData> {
  static readonly eventName = 'messenger.policy_enforcement.received';
  override readonly kind = 'policy_enforcement';
}

export type HandoverType =
  'pass_thread_control' | 'take_thread_control' | 'request_thread_control' | 'app_roles';

export interface HandoverData {
  /** The event key it came under. */
  handoverType: HandoverType;
  newOwnerAppId: string | null;
  previousOwnerAppId: string | null;
  requestedOwnerAppId: string | null;
  metadata: string | null;
  /** For app_roles: app id → roles (e.g. primary_receiver). */
  appRoles: Record<string, string[]> | null;
}

/** Thread control moved between apps, or the apps' roles changed (Handover Protocol). */
export class HandoverEvent extends MessengerEvent<HandoverData> {
  static readonly eventName = 'messenger.handover.received';
  override readonly kind = 'handover';
}

export interface TemplateStatusUpdateData {
  /** The `changes[].field`, e.g. messenger_template_status_update. */
  field: string;
  /** The review event: APPROVED, REJECTED, PENDING, DISABLED, ... */
  status: string | null;
  templateId: string | null;
  templateName: string | null;
  language: string | null;
  reason: string | null;
  /** `changes[].value` as received. */
  value: JsonObject | null;
}

/** A utility message template's review status changed (`entry[].changes[]`). */
export class TemplateStatusUpdateEvent extends MessengerEvent<TemplateStatusUpdateData> {
  static readonly eventName = 'messenger.template_status.updated';
  override readonly kind = 'template_status_update';
}

export function readPolicyEnforcementData(policy: JsonObject): PolicyEnforcementData {
  return { action: stringField(policy, 'action'), reason: stringField(policy, 'reason') };
}

export function readHandoverData(handoverType: HandoverType, value: JsonObject): HandoverData {
  return {
    handoverType,
    newOwnerAppId: idField(value, 'new_owner_app_id'),
    previousOwnerAppId: idField(value, 'previous_owner_app_id'),
    requestedOwnerAppId: idField(value, 'requested_owner_app_id'),
    metadata: stringField(value, 'metadata'),
    // fromEntries defines own properties: an app id of "__proto__" cannot reach the prototype.
    appRoles:
      handoverType === 'app_roles'
        ? Object.fromEntries(Object.keys(value).map((app) => [app, stringsField(value, app) ?? []]))
        : null,
  };
}

/** `changes[]` `{field, value}` of a template review (`value` null when it was not an object). */
export function readTemplateStatusData(
  field: string,
  value: JsonObject | null,
): TemplateStatusUpdateData {
  return {
    field,
    status: stringField(value, 'event'),
    templateId: idField(value, 'message_template_id'),
    templateName: stringField(value, 'message_template_name'),
    language: stringField(value, 'message_template_language'),
    reason: stringField(value, 'reason'),
    value,
  };
}

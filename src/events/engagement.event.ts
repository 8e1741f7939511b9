import { idField, numberField, objectField, stringField } from './json-fields';
import { JsonObject, MessengerEvent } from './messenger-event';

export interface PostbackData {
  title: string | null;
  payload: string | null;
  mid: string | null;
  /** Present when the postback opened the conversation (Get Started from an ad or m.me link). */
  referral: JsonObject | null;
}

/** A customer tapped a postback button, Get Started or a persistent menu item (`postback`). */
export class PostbackReceivedEvent extends MessengerEvent<PostbackData> {
  static readonly eventName = 'messenger.postback.received';
  override readonly kind = 'postback';
}

export interface ReferralData {
  ref: string | null;
  /** SHORTLINK, ADS, MESSENGER_CODE, CUSTOMER_CHAT_PLUGIN, ... */
  source: string | null;
  type: string | null;
  adId: string | null;
  refererUri: string | null;
}

/** A customer came back to an existing conversation through an m.me link, an ad or a plugin (`referral`). */
export class ReferralReceivedEvent extends MessengerEvent<ReferralData> {
  static readonly eventName = 'messenger.referral.received';
  override readonly kind = 'referral';
}

export interface OptinData {
  /** e.g. one_time_notif_req or notification_messages; null for plugin opt-ins. */
  type: string | null;
  /** The `data-ref` of the plugin. */
  ref: string | null;
  /** Checkbox plugin users have no PSID yet, only this. */
  userRef: string | null;
  payload: string | null;
  /** The token that allows the follow-up notification(s). */
  notificationToken: string | null;
}

/** A customer opted in through a plugin or a notification request (`optin`). */
export class OptinReceivedEvent extends MessengerEvent<OptinData> {
  static readonly eventName = 'messenger.optin.received';
  override readonly kind = 'optin';
}

export interface AccountLinkingData {
  /** linked or unlinked. */
  status: string | null;
  authorizationCode: string | null;
}

/** A customer linked or unlinked their account with the business (`account_linking`). */
export class AccountLinkingEvent extends MessengerEvent<AccountLinkingData> {
  static readonly eventName = 'messenger.account_linking.received';
  override readonly kind = 'account_linking';
}

export interface GamePlayData {
  gameId: string | null;
  playerId: string | null;
  contextType: string | null;
  contextId: string | null;
  score: number | null;
  payload: string | null;
}

/** A customer played a round of an Instant Game (`game_play`). */
export class GamePlayEvent extends MessengerEvent<GamePlayData> {
  static readonly eventName = 'messenger.game_play.received';
  override readonly kind = 'game_play';
}

export function readPostbackData(postback: JsonObject): PostbackData {
  return {
    title: stringField(postback, 'title'),
    payload: stringField(postback, 'payload'),
    mid: stringField(postback, 'mid'),
    referral: objectField(postback, 'referral'),
  };
}

export function readReferralData(referral: JsonObject): ReferralData {
  return {
    ref: stringField(referral, 'ref'),
    source: stringField(referral, 'source'),
    type: stringField(referral, 'type'),
    adId: idField(referral, 'ad_id'),
    refererUri: stringField(referral, 'referer_uri'),
  };
}

export function readOptinData(optin: JsonObject): OptinData {
  return {
    type: stringField(optin, 'type'),
    ref: stringField(optin, 'ref'),
    userRef: stringField(optin, 'user_ref'),
    payload: stringField(optin, 'payload'),
    notificationToken:
      stringField(optin, 'one_time_notif_token') ??
      stringField(optin, 'notification_messages_token'),
  };
}

export function readAccountLinkingData(linking: JsonObject): AccountLinkingData {
  return {
    status: stringField(linking, 'status'),
    authorizationCode: stringField(linking, 'authorization_code'),
  };
}

export function readGamePlayData(game: JsonObject): GamePlayData {
  return {
    gameId: idField(game, 'game_id'),
    playerId: idField(game, 'player_id'),
    contextType: stringField(game, 'context_type'),
    contextId: idField(game, 'context_id'),
    score: numberField(game, 'score'),
    payload: stringField(game, 'payload'),
  };
}
